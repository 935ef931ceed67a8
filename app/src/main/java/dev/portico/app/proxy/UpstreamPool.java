package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keep-alive connections to upstreams, one idle deque per event loop per upstream (Zuul's
 * PerServerConnectionPool shape): a client connection only ever borrows a backend connection of its
 * own event loop, so neither side needs a lock. Most recently used first; at most {@code maxIdle} per
 * deque; an idle connection is closed after {@code idleTimeout} or when the upstream closes it or
 * sends anything. A deque leaves the map when a backend connection closes and leaves it empty, so
 * upstreams that config reloads dropped (or whose addresses changed) are not remembered for ever.
 * Shared object; each deque is touched by its own event loop only.
 */
public final class UpstreamPool {
    private final int maxIdle;
    private final Duration idleTimeout;
    private final ConcurrentHashMap<EventLoop, Map<Upstream, ArrayDeque<UpstreamConnection>>> loops = new ConcurrentHashMap<>();
    private final UpstreamResolvers resolvers;

    public UpstreamPool(int maxIdle, Duration idleTimeout) {
        this(maxIdle, idleTimeout, new UpstreamResolvers());
    }

    UpstreamPool(int maxIdle, Duration idleTimeout, UpstreamResolvers resolvers) {
        this.resolvers = resolvers;
        if (maxIdle < 0) {
            throw new IllegalArgumentException("maxIdle: " + maxIdle + " (expected: >= 0)");
        }
        this.maxIdle = maxIdle;
        this.idleTimeout = idleTimeout;
    }

    /** An idle open connection to {@code upstream} on {@code loop}, or null. Event loop {@code loop} only. */
    UpstreamConnection poll(EventLoop loop, Upstream upstream) {
        Map<Upstream, ArrayDeque<UpstreamConnection>> upstreams = loops.get(loop);
        ArrayDeque<UpstreamConnection> idle = upstreams == null ? null : upstreams.get(upstream);
        if (idle == null) {
            return null;
        }
        UpstreamConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            if (connection.channel().isActive()) {
                return connection;
            }
        }
        return null;
    }

    /**
     * Starts a new connection to {@code upstream} on {@code loop}, with the same transport as the client
     * channel. The pipeline holds the codec and the {@link UpstreamConnection} (find it with
     * {@link #connectionOf}). Event loop only.
     */
    ChannelFuture connect(Channel client, Upstream upstream, Duration connectTimeout) {
        // The accepted child's own class (NioSocketChannel, EpollSocketChannel, IoUringSocketChannel) matches the loop's transport;
        // an HTTP/2 stream's is its connection's.
        Channel socket = UpstreamResolvers.socketOf(client);
        Class<? extends Channel> type = socket.getClass();
        Bootstrap bootstrap = new Bootstrap();
        SocketAddress address = resolvers.prepare(bootstrap, client, upstream);
        return bootstrap
                .group(client.eventLoop())
                .channel(type)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Upstreams are ours, but still parsed strictly; large cookies need roomy heads.
                        HttpDecoderConfig config = new HttpDecoderConfig()
                                .setMaxInitialLineLength(8 * 1024)
                                .setMaxHeaderSize(64 * 1024)
                                .setMaxChunkSize(64 * 1024)
                                .setStrictLineParsing(true)
                                .setAllowDuplicateContentLengths(false);
                        ch.pipeline()
                                .addLast(PipelineNames.CODEC, new HttpClientCodec(config, false, false))
                                .addLast(PipelineNames.HANDLER, new UpstreamConnection(UpstreamPool.this, upstream, idleTimeout.toNanos()));
                    }
                })
                .connect(address);
    }

    /** The connection handler of a channel made by {@link #connect}. */
    static UpstreamConnection connectionOf(Channel ch) {
        return (UpstreamConnection) ch.pipeline().get(PipelineNames.HANDLER);
    }

    /** Returns a connection whose exchange completed cleanly; closes it when the deque is full. Its event loop only. */
    void release(UpstreamConnection connection) {
        Channel ch = connection.channel();
        if (!ch.isActive()) {
            return;
        }
        ArrayDeque<UpstreamConnection> idle = deque(ch.eventLoop(), connection.upstream());
        if (idle.size() >= maxIdle) {
            ch.close();
            return;
        }
        connection.pooled(idleTimeout.toNanos());
        ch.config().setAutoRead(true); // so a close by the upstream is seen while idle
        idle.addFirst(connection);
    }

    /**
     * Forgets a connection that closed or misbehaved, pooled or not, and the upstream's deque with it
     * once empty. Not done in {@link #poll}: a busy upstream's deque empties and refills all the time,
     * while closes are rare. Its event loop only.
     */
    void remove(UpstreamConnection connection) {
        Map<Upstream, ArrayDeque<UpstreamConnection>> upstreams = loops.get(connection.channel().eventLoop());
        ArrayDeque<UpstreamConnection> idle = upstreams == null ? null : upstreams.get(connection.upstream());
        if (idle != null) {
            idle.remove(connection);
            if (idle.isEmpty()) {
                upstreams.remove(connection.upstream());
            }
        }
    }

    /** How many upstreams have an idle deque on {@code loop} (for tests). Event loop {@code loop} only. */
    int upstreamsHeld(EventLoop loop) {
        Map<Upstream, ArrayDeque<UpstreamConnection>> upstreams = loops.get(loop);
        return upstreams == null ? 0 : upstreams.size();
    }

    /** Releases the name resolvers; call once, before the event loops shut down. Any thread. */
    public void close() {
        resolvers.close();
    }

    private ArrayDeque<UpstreamConnection> deque(EventLoop loop, Upstream upstream) {
        return loops.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(upstream, u -> new ArrayDeque<>());
    }
}
