package dev.portico.app.proxy;

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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty HTTP/1.1 test backend. Paths: {@code /headers} lists the request line and headers received;
 * {@code /sha256} answers the SHA-256 and length of the streamed body; {@code /download?size=N}
 * streams N pattern bytes with backpressure ({@code &length} for a Content-Length instead of chunked);
 * {@code /status/N}; {@code /cookies} sets two cookies; anything else says hello. Counts accepted
 * connections and requests.
 */
final class EchoBackend implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    private final EventLoopGroup group;
    private final Channel server;
    private final String name;

    EchoBackend(String name) {
        this.name = name;
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Byte {@code i} of the download pattern. */
    static byte pattern(long i) {
        return (byte) ((i * 31 + (i >>> 13)) & 0xFF);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private String path;
        private HttpRequest request;
        private MessageDigest digest;
        private long bodyLength;
        private long remaining;
        private long sent;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest r) {
                requests.incrementAndGet();
                request = r;
                path = new QueryStringDecoder(r.uri()).path().replaceFirst("^/echo(?=/)", "");
                bodyLength = 0;
                try {
                    digest = MessageDigest.getInstance("SHA-256");
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (msg instanceof HttpContent c) {
                ByteBuf content = c.content();
                bodyLength += content.readableBytes();
                digest.update(content.nioBuffer());
                boolean last = c instanceof LastHttpContent;
                c.release();
                if (last) {
                    answer(ctx);
                }
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (path.equals("/headers")) {
                StringBuilder text = new StringBuilder(request.method() + " " + request.uri() + "\n");
                for (Map.Entry<String, String> h : request.headers()) {
                    text.append(h.getKey()).append(": ").append(h.getValue()).append('\n');
                }
                full(ctx, HttpResponseStatus.OK, text.toString(), keepAlive);
            } else if (path.equals("/sha256")) {
                full(ctx, HttpResponseStatus.OK, HexFormat.of().formatHex(digest.digest()) + " " + bodyLength, keepAlive);
            } else if (path.startsWith("/status/")) {
                int code = Integer.parseInt(path.substring(8));
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code));
                if (code != 204 && code != 304) {
                    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                }
                ctx.writeAndFlush(response);
            } else if (path.equals("/cookies")) {
                FullHttpResponse response = response(HttpResponseStatus.OK, "cookies");
                response.headers().add(HttpHeaderNames.SET_COOKIE, "a=1; Path=/").add("X-Trace", "first")
                        .add(HttpHeaderNames.SET_COOKIE, "b=2; Path=/").add("X-Trace", "second");
                ctx.writeAndFlush(response);
            } else if (path.equals("/download")) {
                QueryStringDecoder q = new QueryStringDecoder(request.uri());
                remaining = Long.parseLong(q.parameters().get("size").get(0));
                sent = 0;
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                if (q.parameters().containsKey("length")) {
                    head.headers().set(HttpHeaderNames.CONTENT_LENGTH, remaining);
                } else {
                    HttpUtil.setTransferEncodingChunked(head, true);
                }
                ctx.write(head);
                pump(ctx);
            } else {
                full(ctx, HttpResponseStatus.OK, "hello from " + name + " " + request.uri(), keepAlive);
            }
        }

        private void pump(ChannelHandlerContext ctx) {
            while (remaining > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(remaining, 32 * 1024);
                byte[] bytes = new byte[n]; // one bulk write: paranoid leak tracking records every buffer call
                for (int i = 0; i < n; i++) {
                    bytes[i] = pattern(sent + i);
                }
                ByteBuf buf = Unpooled.wrappedBuffer(bytes);
                sent += n;
                remaining -= n;
                ctx.write(new DefaultHttpContent(buf));
                if (remaining == 0) {
                    ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (remaining > 0 && ctx.channel().isWritable()) {
                pump(ctx);
            }
        }

        private void full(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
            FullHttpResponse response = response(status, body);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response);
        }

        private FullHttpResponse response(HttpResponseStatus status, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
