package dev.portico.app.observe;

import dev.portico.app.http.RequestRejected;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Clock;

/**
 * Watches each request and its response between the HTTP codec and the frontend: status, bytes,
 * duration, route and upstream, then records them in {@link Metrics} and the {@link AccessLog}. A request
 * the framing handler below refused and answered itself arrives as a {@link RequestRejected} event and is
 * recorded the same way. Also counts connections and TLS handshakes. Passes every message on untouched.
 *
 * <p>One instance per client channel; event loop only. Requests on one connection are answered one
 * at a time (the framing gate), so one set of fields suffices. On HTTP/2 each stream's child channel has
 * its own observer ({@link #forStream}) that records the request but not the connection; the parent
 * channel's observer counts the connection and its handshake. An observer added to a channel that is
 * already active (the pipeline is built after ALPN) counts the connection when it is added.
 */
public final class ExchangeObserver extends ChannelDuplexHandler {
    private static final AttributeKey<ExchangeObserver> KEY = AttributeKey.valueOf("portico.exchangeObserver");
    private static final int MAX_LOGGED_PATH = 1024;

    private final String listener;
    private final Metrics metrics;
    private final Clock clock;
    private final boolean countsConnection;
    private boolean connectionCounted;
    private String client = "-";
    private String tls;
    private long startNanos;
    private String method;
    private String host;
    private String path;
    private String route;
    private String upstream;
    private int status;
    private long bytes;

    public ExchangeObserver(String listener, Metrics metrics, Clock clock) {
        this(listener, metrics, clock, true, null, null);
    }

    private ExchangeObserver(String listener, Metrics metrics, Clock clock, boolean countsConnection, String tls,
                             String client) {
        this.listener = listener;
        this.metrics = metrics;
        this.clock = clock;
        this.countsConnection = countsConnection;
        this.tls = tls;
        if (client != null) {
            this.client = client;
        }
    }

    /**
     * An observer for one HTTP/2 stream's child channel: it records the stream's request and response,
     * not a connection; {@code tls} is the parent connection's TLS protocol version and {@code client} its
     * peer's address (for the access log; null: read from the channel).
     */
    public static ExchangeObserver forStream(String listener, String tls, String client, Metrics metrics, Clock clock) {
        return new ExchangeObserver(listener, metrics, clock, false, tls, client);
    }

    /** Names the route that serves the current request on {@code channel} (for metrics and the log). */
    public static void tagRoute(Channel channel, String routeLabel) {
        ExchangeObserver observer = channel.attr(KEY).get();
        if (observer != null) {
            observer.route = routeLabel;
        }
    }

    /** Names the upstream that serves the current request on {@code channel}. */
    public static void tagUpstream(Channel channel, String upstreamLabel) {
        ExchangeObserver observer = channel.attr(KEY).get();
        if (observer != null) {
            observer.upstream = upstreamLabel;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().attr(KEY).set(this);
        if (ctx.channel().isActive()) {
            opened(ctx.channel());
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        opened(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (connectionCounted) {
            connectionCounted = false;
            metrics.connectionClosed(listener);
        }
        if (startNanos != 0) {
            // The connection ended before the response did: 499 when nothing was sent (nginx's
            // "client closed request"), else the status that had started, with the bytes that made it.
            finish(status == 0 ? 499 : status);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof RequestRejected rejected) {
            // Answered below this observer (raw bytes, then close): recorded as a request of its own.
            begin(rejected.method(), "-", null);
            bytes = rejected.bodyBytes();
            finish(rejected.status());
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                tls = ssl == null ? "unknown" : ssl.engine().getSession().getProtocol();
                metrics.handshake(true, "none");
            } else {
                metrics.handshake(false, handshake.cause().getClass().getSimpleName());
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest request) {
            String uri = request.uri();
            int query = uri.indexOf('?');
            String path = query < 0 ? uri : uri.substring(0, query);
            if (path.length() > MAX_LOGGED_PATH) {
                path = path.substring(0, MAX_LOGGED_PATH) + "...";
            }
            begin(request.method().name(), path, request.headers().get(HttpHeaderNames.HOST));
        }
        super.channelRead(ctx, msg);
    }

    private void begin(String method, String path, String host) {
        startNanos = System.nanoTime();
        this.method = method;
        this.path = path;
        this.host = host;
        route = "none";
        upstream = null;
        status = 0;
        bytes = 0;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (startNanos != 0) {
            boolean done = false;
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                if (code >= 200 || code == 101) {
                    status = code;
                    done = code == 101; // the exchange becomes a tunnel: the request is over
                }
            }
            if (msg instanceof HttpContent content) {
                bytes += content.content().readableBytes();
                done |= msg instanceof LastHttpContent && status != 0;
            }
            if (done) {
                finish(status);
            }
        }
        super.write(ctx, msg, promise);
    }

    private void opened(Channel channel) {
        if (countsConnection && !connectionCounted) {
            connectionCounted = true;
            metrics.connectionOpened(listener);
        }
        if ("-".equals(client) && channel.remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null) {
            client = remote.getAddress().getHostAddress();
        }
    }

    private void finish(int finalStatus) {
        long nanos = System.nanoTime() - startNanos;
        startNanos = 0;
        metrics.request(route, finalStatus, nanos);
        AccessLog.write(clock.instant(), client, host, method, path, finalStatus, bytes, nanos, route, upstream,
                tls == null ? (listener.equals("https") ? "unknown" : "none") : tls);
    }
}
