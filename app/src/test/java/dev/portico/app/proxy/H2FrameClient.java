package dev.portico.app.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A frame-level HTTP/2 test client: TLS with ALPN {@code h2} (or prior knowledge without TLS), the
 * client frame codec, and every received frame recorded as an {@link Event} (DATA copied, released and
 * its window returned at once). Writes run on the client's event loop.
 */
final class H2FrameClient implements AutoCloseable {
    /** A received frame: kind is HEADERS, DATA, RST_STREAM or GOAWAY; errorCode for the last two. */
    record Event(String kind, int streamId, Http2Headers headers, byte[] data, boolean endStream, long errorCode) {}

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Recorder recorder = new Recorder();

    private H2FrameClient(int port, String sni, boolean tls) throws Exception {
        SslContext context = !tls ? null : SslContextBuilder.forClient()
                .trustManager(TestTls.INSTANCE.bundle.toTrustManagerFactory())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build();
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (context != null) {
                            ch.pipeline().addLast(context.newHandler(ch.alloc(), sni, port));
                        }
                        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().initialWindowSize(1 << 20))
                                .encoderIgnoreMaxHeaderListSize(true).build(); // to test the server's limit
                        ch.pipeline().addLast(codec, recorder);
                    }
                }).connect("127.0.0.1", port).sync().channel();
    }

    /** Over TLS with ALPN h2 and SNI {@code sni}. */
    static H2FrameClient tls(int port, String sni) throws Exception {
        return new H2FrameClient(port, sni, true);
    }

    /** Cleartext with prior knowledge (h2c). */
    static H2FrameClient cleartext(int port) throws Exception {
        return new H2FrameClient(port, null, false);
    }

    /** Sends a HEADERS frame (trailers) on an open {@code stream}. */
    void trailers(Http2FrameStream stream, Http2Headers trailers) throws Exception {
        onLoop(() -> channel.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true).stream(stream)));
    }

    /** Opens a stream with {@code headers}; returns it. */
    Http2FrameStream headers(Http2Headers headers, boolean endStream) throws Exception {
        return onLoop(() -> {
            Http2FrameStream stream = recorder.newStream();
            channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream).stream(stream));
            return stream;
        });
    }

    /** Sends DATA on {@code stream}. */
    void data(Http2FrameStream stream, byte[] bytes, boolean endStream) throws Exception {
        onLoop(() -> channel.writeAndFlush(
                new DefaultHttp2DataFrame(channel.alloc().buffer().writeBytes(bytes), endStream).stream(stream)));
    }

    /** Opens {@code count} streams and resets each at once, in one flush per stream. */
    void openAndReset(Http2Headers headers, int count) throws Exception {
        onLoop(() -> {
            for (int i = 0; i < count && channel.isActive(); i++) {
                Http2FrameStream stream = recorder.newStream();
                channel.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream));
                channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream));
            }
            return null;
        });
    }

    /** The next event, or fails after {@code seconds}. */
    Event next(int seconds) throws InterruptedException {
        Event event = events.poll(seconds, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("no HTTP/2 frame within " + seconds + " s");
        }
        return event;
    }

    /** True once the connection is closed, waiting up to {@code seconds}. */
    boolean closedWithin(int seconds) {
        return channel.closeFuture().awaitUninterruptibly(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return channel.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
    }

    private final class Recorder extends Http2ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    events.add(new Event("HEADERS", h.stream().id(), h.headers(), null, h.isEndStream(), 0));
                } else if (msg instanceof Http2DataFrame d) {
                    events.add(new Event("DATA", d.stream().id(), null, ByteBufUtil.getBytes(d.content()), d.isEndStream(), 0));
                    if (d.initialFlowControlledBytes() > 0) {
                        ctx.write(new DefaultHttp2WindowUpdateFrame(d.initialFlowControlledBytes()).stream(d.stream()));
                    }
                } else if (msg instanceof Http2ResetFrame r) {
                    events.add(new Event("RST_STREAM", r.stream().id(), null, null, true, r.errorCode()));
                } else if (msg instanceof Http2GoAwayFrame g) {
                    events.add(new Event("GOAWAY", g.lastStreamId(), null, null, true, g.errorCode()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
