package dev.portico.tls.sni;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A fast TLS client for load: Netty on OpenSSL, one full handshake per call (the engine is made
 * without a peer host, so no client session cache applies), reading the peer's leaf certificate.
 * Calls block the calling test thread, never an event loop.
 */
final class NettyTlsClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final SslContext context;
    private final Bootstrap bootstrap;

    /** A client that sends SNI {@code sni} on every connection. */
    NettyTlsClient(String sni) throws SSLException {
        context = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SslHandler ssl = context.newHandler(ch.alloc());
                SSLParameters parameters = ssl.engine().getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(sni)));
                ssl.engine().setSSLParameters(parameters);
                ch.pipeline().addLast(ssl);
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
            }
        });
    }

    /** Connects, completes a full handshake, returns the server's leaf certificate, closes. */
    X509Certificate handshake(int port) throws Exception {
        Channel channel = bootstrap.connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        try {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            Future<Channel> done = ssl.handshakeFuture();
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new IOException("handshake did not finish within 10s");
            }
            if (!done.isSuccess()) {
                throw new IOException("handshake failed: " + done.cause(), done.cause());
            }
            return (X509Certificate) ssl.engine().getSession().getPeerCertificates()[0];
        } finally {
            channel.close().sync();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
