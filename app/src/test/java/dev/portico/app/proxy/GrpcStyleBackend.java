package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC-style backend: HTTP/2 cleartext with prior knowledge on 127.0.0.1:0. For each stream it
 * answers the request HEADERS at once with {@code :status 200} and {@code content-type:
 * application/grpc}, then for every length-prefixed message (1 flag byte, 4 length bytes, payload) it
 * receives it sends one back with {@code "echo:"} prepended, as soon as the message is complete; when
 * the request ends it sends trailers {@code grpc-status: 0}. Records the request heads it saw and counts
 * connections.
 */
final class GrpcStyleBackend implements AutoCloseable {
    final List<Http2Headers> requestHeads = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    GrpcStyleBackend() {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new EchoStream());
                                    }
                                }));
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** A gRPC length-prefixed message. */
    static byte[] message(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[5 + payload.length];
        out[1] = (byte) (payload.length >>> 24);
        out[2] = (byte) (payload.length >>> 16);
        out[3] = (byte) (payload.length >>> 8);
        out[4] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 5, payload.length);
        return out;
    }

    /**
     * Opens {@code count} unary calls at once on {@code client} (through the proxy, authority localhost)
     * and waits until each has ended with {@code grpc-status: 0}; fails on any stream reset.
     */
    static void unaryCalls(H2FrameClient client, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            Http2FrameStream stream = client.headers(new DefaultHttp2Headers().method("POST").scheme("https")
                    .authority("localhost").path("/echo.Echo/Unary").set("content-type", "application/grpc"), false);
            client.data(stream, message("u" + i), true);
        }
        int trailers = 0;
        while (trailers < count) {
            H2FrameClient.Event event = client.next(10);
            assertFalse(event.kind().equals("RST_STREAM"), "no stream is reset: " + event);
            if (event.kind().equals("HEADERS") && event.headers().contains("grpc-status")) {
                assertEquals("0", String.valueOf(event.headers().get("grpc-status")), "each call succeeds");
                trailers++;
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class EchoStream extends ChannelInboundHandlerAdapter {
        private ByteBuf held;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers && headers.headers().method() != null) {
                    requestHeads.add(headers.headers());
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                            .set("content-type", "application/grpc")));
                    if (headers.isEndStream()) {
                        end(ctx);
                    }
                } else if (msg instanceof Http2HeadersFrame trailers) {
                    end(ctx); // request trailers end the stream
                } else if (msg instanceof Http2DataFrame data) {
                    held = held == null ? ctx.alloc().buffer() : held;
                    held.writeBytes(data.content());
                    while (held.readableBytes() >= 5 && held.readableBytes() >= 5 + held.getInt(held.readerIndex() + 1)) {
                        held.skipBytes(1);
                        byte[] payload = new byte[held.readInt()];
                        held.readBytes(payload);
                        byte[] reply = message("echo:" + new String(payload, StandardCharsets.UTF_8));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(ctx.alloc().buffer().writeBytes(reply)));
                    }
                    if (data.isEndStream()) {
                        end(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void end(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (held != null) {
                held.release();
                held = null;
            }
        }
    }
}
