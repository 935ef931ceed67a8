package dev.portico.tls.testing;

import dev.portico.tls.sni.CertificateStore;
import dev.portico.tls.sni.SniCertificateHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TLS server on {@code 127.0.0.1:0} for tests: the real {@link SniCertificateHandler} in front of a
 * handler that writes {@link #GREETING} once the handshake completes, then echoes every byte.
 *
 * <pre>{@code
 * try (TlsTestServer server = TlsTestServer.start(store)) {
 *     X509Certificate leaf = TlsTestClient.leafCertificate(server.port(), "a.test");
 * }
 * }</pre>
 *
 * Closing it stops its event loops and waits for them.
 */
public final class TlsTestServer implements AutoCloseable {
    /** What the server writes first on every connection, after the handshake. */
    public static final String GREETING = "hello\n";

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger failedHandshakes = new AtomicInteger();

    private TlsTestServer(CertificateStore store, Duration handshakeTimeout) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("sni", new SniCertificateHandler(store, handshakeTimeout));
                            ch.pipeline().addLast("greetAndEcho", new GreetAndEcho());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Starts a server with the default handshake timeout. */
    public static TlsTestServer start(CertificateStore store) throws InterruptedException {
        return new TlsTestServer(store, SniCertificateHandler.DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** Starts a server with the given handshake timeout. */
    public static TlsTestServer start(CertificateStore store, Duration handshakeTimeout) throws InterruptedException {
        return new TlsTestServer(store, handshakeTimeout);
    }

    /** The bound port on 127.0.0.1. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** How many handshakes completed successfully so far. */
    public int completedHandshakes() {
        return handshakes.get();
    }

    /** How many handshakes failed after the SNI handler picked a certificate. */
    public int failedHandshakes() {
        return failedHandshakes.get();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class GreetAndEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    handshakes.incrementAndGet();
                    ctx.writeAndFlush(Unpooled.copiedBuffer(GREETING, CharsetUtil.US_ASCII));
                } else {
                    failedHandshakes.incrementAndGet();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                ctx.write(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Handshake failures are expected in tests (refused protocols, unknown names): just close.
            ctx.close();
        }
    }
}
