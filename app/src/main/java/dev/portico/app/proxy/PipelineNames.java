package dev.portico.app.proxy;

/**
 * Names of every handler Portico puts in a channel pipeline; insert and find by name, never by index.
 *
 * <pre>
 * HTTPS client connection (HttpsInitializer)        port-80 client connection (HttpInitializer)
 *   TLS       the lead's SNI/TLS handler              -
 *   FRAMING   StrictFramingHandler                    FRAMING
 *   CODEC     HttpServerCodec                         CODEC
 *   OBSERVE   ExchangeObserver (metrics, access log)  OBSERVE
 *   FRONTEND  FrontendHandler                         FRONTEND (ACME challenges, 308 to HTTPS, SERVE routes)
 *
 * HTTPS: initChannel adds TLS and ALPN (AlpnDispatchHandler); after the handshake ALPN leaves and
 * adds, for http/1.1 or no ALPN, FRAMING, CODEC, OBSERVE, FRONTEND as above; for h2 (Http2Frontend):
 *   TLS
 *   H2_DEADLINE Http2HeaderDeadline (preface and each header block within headerTimeout, else close)
 *   H2_CODEC   Http2FrameCodec (limits, rapid-reset guard, GOAWAY on graceful close)
 *   FLUSH      FlushConsolidationHandler (streams' responses finished in one event-loop turn share a flush)
 *   IDLE       IdleStateHandler (reader idle keepAliveTimeout; ERRORS closes the connection if no stream is open)
 *   OBSERVE    ExchangeObserver (the connection: count, handshake)
 *   MULTIPLEX  Http2MultiplexHandler, one child channel per client stream:
 *                (unnamed) Http2RequestCodec (Netty's Http2StreamFrameToHttpObjectCodec, server): the
 *                          multiplexer adds it under a generated name, and it adds the two below
 *                OBSERVE   ExchangeObserver.forStream (metrics, access log of this stream's request)
 *                FRONTEND  FrontendHandler without a framing gate
 *   ERRORS     logs connection errors the codec already answered; GOAWAY when idle
 *
 * after a 101 (upgrade): TLS?, TUNNEL (TunnelHandler; one TunnelIdle timer for both sides)
 *
 * backend connection (UpstreamPool)
 *   CODEC     HttpClientCodec
 *   HANDLER   UpstreamConnection (for the connection's life: passes events to the Exchange using it;
 *             keeps the idle and response-head deadlines)
 * after a 101: TUNNEL
 * </pre>
 */
public final class PipelineNames {
    public static final String TLS = "tls";
    public static final String ALPN = "alpn";
    public static final String H2_CODEC = "h2codec";
    public static final String H2_DEADLINE = "h2deadline";
    public static final String MULTIPLEX = "multiplex";
    public static final String ERRORS = "errors";
    public static final String FLUSH = "flush";
    public static final String FRAMING = "framing";
    public static final String CODEC = "codec";
    public static final String OBSERVE = "observe";
    public static final String FRONTEND = "frontend";
    public static final String IDLE = "idle";
    public static final String HANDLER = "handler";
    public static final String TUNNEL = "tunnel";

    private PipelineNames() {}
}
