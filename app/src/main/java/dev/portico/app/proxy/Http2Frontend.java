package dev.portico.app.proxy;

import dev.portico.app.config.ServerLimits;
import dev.portico.app.http.ReadSuspension;
import dev.portico.app.observe.ExchangeObserver;
import dev.portico.tls.sni.TlsAttributes;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/2 side of an HTTPS connection (after ALPN chose {@code h2}): a frame codec, an observer for
 * the connection, and a multiplexer that gives every client stream a child channel of its own. A
 * stream's pipeline translates frames to HTTP/1 objects and then runs the same {@link FrontendHandler}
 * (routing, local answers, {@link Exchange} to HTTP/1.1 backends over the per-event-loop pools) as an
 * HTTP/1.1 connection does; see {@link PipelineNames}.
 *
 * <p>Flow control is backpressure: a stream's child channel stops reading (auto-read off) while its
 * backend cannot take more, so its bytes are not consumed and no WINDOW_UPDATE goes out: a slow backend
 * stalls its own stream's window, not the connection. Responses stop when the stream's send window or
 * the connection is not writable (the child channel's writability).
 *
 * <p>Limits (RFC 9113 and CVE-2023-44487): at most {@value #MAX_CONCURRENT_STREAMS} concurrent streams;
 * the header list limited to {@link ServerLimits#maxHeaderBytes()} (Netty counts it across
 * CONTINUATION frames and sends GOAWAY well before an unbounded block accumulates); the preface and
 * every header block within {@link ServerLimits#headerTimeout()} ({@link Http2HeaderDeadline}); more than
 * {@value #MAX_RST_PER_WINDOW} RST_STREAM frames from the client in {@value #RST_WINDOW_SECONDS} s
 * closes the connection with GOAWAY (rapid reset); while the process drains, GOAWAY (NO_ERROR) goes out
 * once the connection has no active stream; a connection without streams and without a frame either way
 * for {@link ServerLimits#keepAliveTimeout()} gets GOAWAY and closes; each stream's receive window is
 * {@value #STREAM_WINDOW} bytes and the connection's {@value #CONNECTION_WINDOW}.
 *
 * <p>Event loop only.
 */
final class Http2Frontend {
    static final int MAX_CONCURRENT_STREAMS = 100;
    static final int MAX_RST_PER_WINDOW = 200;
    static final int RST_WINDOW_SECONDS = 30;
    static final int STREAM_WINDOW = 64 * 1024;
    static final int CONNECTION_WINDOW = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(Http2Frontend.class);

    private Http2Frontend() {}

    /** Adds the HTTP/2 handlers to an HTTPS connection whose handshake chose {@code h2}. Event loop only. */
    static void add(Channel ch, Supplier<FrontendSettings> settings, ProxyServices services) {
        ServerLimits limits = settings.get().limits();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(limits.maxHeaderBytes())
                        .initialWindowSize(STREAM_WINDOW))
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_PER_WINDOW, RST_WINDOW_SECONDS)
                .gracefulShutdownTimeoutMillis(limits.shutdownGrace().toMillis())
                .validateHeaders(true)
                .build();
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        String tls = ssl == null ? "unknown" : ssl.engine().getSession().getProtocol();
        String sni = ch.attr(TlsAttributes.SNI_HOST_NAME).get();
        // Worked out once for the connection rather than per stream (that is, per request).
        InetAddress peer = ch.remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
        ForwardingHeaders.Client client = peer == null ? null : new ForwardingHeaders.Client(peer, "https");
        String loggedPeer = peer == null ? null : peer.getHostAddress(); // the access log's form, as on HTTP/1.1
        // Sharable, and a stream is a request: one per connection rather than per stream. Not one per
        // process: the codec writes fields of its own on every frame, which would bounce between cores.
        // The multiplexer adds it to each stream's child channel; it adds the rest (addStream).
        Http2RequestCodec streamCodec = new Http2RequestCodec(stream ->
                addStream((Http2StreamChannel) stream, sni, tls, client, loggedPeer, settings, services));
        ch.pipeline()
                .addLast(PipelineNames.H2_DEADLINE, new Http2HeaderDeadline(limits.headerTimeout().toNanos()))
                .addLast(PipelineNames.H2_CODEC, codec)
                // Responses finish on backend reads, one stream at a time, and each stream flushes its own:
                // without this each flush would run the codec's flow controller and make a TLS record and
                // a send(); with it (above the codec), those finished in one event-loop turn share them.
                // The codec's own frames (SETTINGS and PING acks, WINDOW_UPDATE) it flushes once per read.
                .addLast(PipelineNames.FLUSH, new FlushConsolidationHandler(
                        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
                // Reader idle, not all-idle: an all-idle handler puts a listener on every frame written.
                // Open streams keep the connection anyway (see ConnectionErrors).
                .addLast(PipelineNames.IDLE, new IdleStateHandler(limits.keepAliveTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS))
                .addLast(PipelineNames.OBSERVE, new ExchangeObserver("https", services.metrics(), services.clock()))
                .addLast(PipelineNames.MULTIPLEX, new Http2MultiplexHandler(streamCodec))
                .addLast(PipelineNames.ERRORS, ConnectionErrors.INSTANCE);
        // The connection window starts at 65,535 for every peer (RFC 9113 6.9.2): widen ours so that many
        // streams can each use their own window at once.
        try {
            codec.connection().local().flowController()
                    .incrementWindowSize(codec.connection().connectionStream(), CONNECTION_WINDOW - 65_535);
        } catch (Http2Exception e) {
            throw new IllegalStateException("connection window", e); // a fresh window cannot overflow
        }
        if (services.counters().draining()) {
            goAway(ch);
        }
    }

    /**
     * Sends GOAWAY (NO_ERROR, last stream id = the last one the client opened) once and closes the
     * connection when its streams are done or at the shutdown grace. Event loop of {@code connection}.
     */
    static void goAway(Channel connection) {
        Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
        if (codec != null && !codec.connection().goAwaySent()) {
            connection.close();
        }
    }

    /**
     * While the process drains, GOAWAY goes out when a stream ends and none is left active. Not
     * earlier, although RFC 9113 6.8 would allow it: the JDK 17 HttpClient fails every open stream on
     * any GOAWAY, whatever its last stream id. Event loop of {@code connection}.
     */
    private static void goAwayWhenIdle(Channel connection, ProxyServices services) {
        if (!services.counters().draining() || !connection.isActive()) {
            return;
        }
        Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
        if (codec != null && codec.connection().numActiveStreams() == 0) {
            goAway(connection);
        }
    }

    /**
     * The end of the connection's pipeline: the frame codec has already answered a protocol error (GOAWAY
     * or RST_STREAM) before the exception travels on; here it is logged at DEBUG, as for HTTP/1.1. Also
     * closes an idle connection.
     */
    @ChannelHandler.Sharable
    private static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
        static final ConnectionErrors INSTANCE = new ConnectionErrors();

        /** No frame from the client for keepAliveTimeout and no stream open: GOAWAY and close, as HTTP/1.1 would close. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
                if (codec != null && codec.connection().numActiveStreams() == 0) {
                    goAway(ctx.channel());
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("event=client_connection_error channel={} remote={} error={}",
                    ctx.channel().id(), ctx.channel().remoteAddress(), cause.toString());
        }
    }

    /** Adds the handlers after a new stream's {@link Http2RequestCodec}. */
    private static void addStream(Http2StreamChannel stream, String sni, String tls,
                                  ForwardingHeaders.Client client, String loggedPeer, Supplier<FrontendSettings> settings,
                                  ProxyServices services) {
        if (sni != null) {
            stream.attr(TlsAttributes.SNI_HOST_NAME).set(sni);
        }
        stream.closeFuture().addListener(f -> goAwayWhenIdle(stream.parent(), services));
        ReadSuspension reads = new ReadSuspension(stream);
        stream.pipeline()
                .addLast(PipelineNames.OBSERVE, ExchangeObserver.forStream("https", tls,
                        loggedPeer, services.metrics(), services.clock()))
                .addLast(PipelineNames.FRONTEND, new FrontendHandler(true, settings, null, reads, services, token -> null, 443, client));
    }
}
