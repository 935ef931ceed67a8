package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP/2 cleartext connections to {@code h2c://} upstreams (prior knowledge, RFC 9113 3.3): one
 * connection per upstream per event loop, shared by every request of that loop, each request on a
 * stream of its own. A connection that closes or receives GOAWAY is forgotten and the next request
 * opens a new one. Shared object; each loop's map is touched by that loop only.
 */
public final class H2cConnections {
    private final ConcurrentHashMap<EventLoop, Map<Upstream, ChannelFuture>> loops = new ConcurrentHashMap<>();
    private final UpstreamResolvers resolvers = new UpstreamResolvers();

    public H2cConnections() {}

    /** Releases the name resolvers; call once, before the event loops shut down. Any thread. */
    public void close() {
        resolvers.close();
    }

    /**
     * Opens a stream to {@code upstream} on the event loop of {@code client} (connecting first when
     * needed) whose pipeline {@code streamInit} builds. The future fails when the upstream refuses the
     * connection or the stream. Event loop of {@code client} only.
     */
    Future<Http2StreamChannel> openStream(Channel client, Upstream upstream, Duration connectTimeout,
                                          ChannelHandler streamInit) {
        EventLoop loop = client.eventLoop();
        Map<Upstream, ChannelFuture> connections = loops.computeIfAbsent(loop, l -> new HashMap<>());
        ChannelFuture connection = connections.get(upstream);
        if (connection == null || (connection.isDone() && !connection.channel().isActive())) {
            connection = connect(client, upstream, connectTimeout);
            connections.put(upstream, connection);
            ChannelFuture mine = connection;
            mine.channel().closeFuture().addListener(f -> connections.remove(upstream, mine));
        }
        Promise<Http2StreamChannel> stream = loop.newPromise();
        connection.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                connections.remove(upstream, f);
                stream.tryFailure(f.cause());
                return;
            }
            new Http2StreamChannelBootstrap(f.channel()).handler(streamInit).open().addListener(
                    (Future<Http2StreamChannel> opened) -> {
                        if (opened.isSuccess()) {
                            stream.trySuccess(opened.getNow());
                        } else {
                            stream.tryFailure(opened.cause());
                        }
                    });
        });
        return stream;
    }

    private ChannelFuture connect(Channel client, Upstream upstream, Duration connectTimeout) {
        Channel socket = UpstreamResolvers.socketOf(client);
        Bootstrap bootstrap = new Bootstrap();
        SocketAddress address = resolvers.prepare(bootstrap, client, upstream); // never DNS on the loop
        return bootstrap
                .group(client.eventLoop())
                .channel(socket.getClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(PipelineNames.H2_CODEC, Http2FrameCodecBuilder.forClient()
                                        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                                        .validateHeaders(true).build())
                                .addLast(PipelineNames.MULTIPLEX, new Http2MultiplexHandler(NoPushedStreams.INSTANCE))
                                .addLast(PipelineNames.HANDLER, new ConnectionWatch(upstream));
                    }
                })
                .connect(address);
    }

    /** Server-initiated streams (push is never enabled by us): closed at once. */
    @ChannelHandler.Sharable
    private static final class NoPushedStreams extends ChannelInboundHandlerAdapter {
        static final NoPushedStreams INSTANCE = new NoPushedStreams();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().close();
        }
    }

    /** The end of an upstream connection's pipeline: GOAWAY makes the connection unusable for new streams. */
    private final class ConnectionWatch extends ChannelInboundHandlerAdapter {
        private final Upstream upstream;

        ConnectionWatch(Upstream upstream) {
            this.upstream = upstream;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame) {
                Map<Upstream, ChannelFuture> connections = loops.get(ctx.channel().eventLoop());
                ChannelFuture current = connections == null ? null : connections.get(upstream);
                if (current != null && current.channel() == ctx.channel()) {
                    connections.remove(upstream);
                }
            }
            ReferenceCountUtil.release(msg); // settings acks, pings, GOAWAY: nothing else to do here
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
