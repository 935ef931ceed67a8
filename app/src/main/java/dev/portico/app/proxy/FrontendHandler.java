package dev.portico.app.proxy;

import dev.portico.app.config.Route;
import dev.portico.app.observe.ExchangeObserver;
import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.http.ErrorResponses;
import dev.portico.app.http.FramingViolation;
import dev.portico.app.http.LingeringClose;
import dev.portico.app.http.ReadSuspension;
import dev.portico.app.http.StrictFramingHandler;
import dev.portico.app.routing.RouteTable;
import dev.portico.tls.sni.TlsAttributes;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The client-facing HTTP/1.1 handler: routes each request and answers it locally or through an
 * {@link Exchange}, one request at a time (the {@link StrictFramingHandler} gate holds pipelined
 * requests until the current response is done).
 *
 * <p>Host checks, in order, on HTTPS: an SNI name that no route serves → {@code 421} (the connection was
 * misdirected, RFC 9110 15.5.20); a {@code Host} no route serves → {@code 404} ({@code 400} for an
 * absolute-form target, which must name a host we serve); {@code Host} and SNI served by different
 * host entries → {@code 421}. No SNI (e.g. an IP address) skips the SNI checks. On port 80:
 * {@code /.well-known/acme-challenge/<token>} for any host, then {@code 404} for unrouted hosts, then
 * the route's {@code httpBehaviour} ({@code 308} to HTTPS or serve).
 *
 * <p>Other answers: {@code CONNECT} → 405 and close; an upgrade to a route that forbids it, or a
 * malformed one → 400; {@code Upgrade: h2c} is dropped and the request served as HTTP/1.1;
 * {@code Expect: 100-continue} is answered with {@code 100} by Portico once the request is accepted
 * (nginx's choice) and not forwarded; other expectations → 417; a path with {@code .} or {@code ..}
 * segments → 400; a body over {@code maxRequestBody}
 * → 413 and close. One per client connection; event loop only.
 *
 * <p>On HTTP/2 one instance serves one stream: it sits in the stream's child channel behind
 * {@link Http2RequestCodec} and is built without a framing gate ({@code framing} null).
 * Then keep-alive does not apply (closing means resetting the stream once the answer is written),
 * {@link Http2Requests} checks the translated head (RFC 9113 8.2.2, 8.3.1), and draining is the
 * connection's business ({@link Http2Frontend} sends GOAWAY), not a {@code Connection: close}.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);
    private static final String STRICT_TRANSPORT_SECURITY = "strict-transport-security";

    private final boolean https;
    private final Supplier<FrontendSettings> settings;
    private final StrictFramingHandler framing;
    private final boolean stream;
    private final ReadSuspension reads;
    private final ProxyServices services;
    private final Function<String, String> acmeChallenges;
    private final int httpsPort;

    private ChannelHandlerContext ctx;
    private boolean inRequest;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean closeAfter;
    private boolean headRequest;
    private boolean http10;
    private boolean failed;
    private boolean bodyExpected;
    private long bodyBytes;
    private long maxBody;
    private RouteOptions routeOptions;
    private UpstreamExchange exchange;
    private ForwardingHeaders.Client client;

    /** @param client the HTTP/2 connection's peer, shared by its streams; null: worked out at the first proxied request */
    FrontendHandler(boolean https, Supplier<FrontendSettings> settings, StrictFramingHandler framing,
                    ReadSuspension reads, ProxyServices services, Function<String, String> acmeChallenges, int httpsPort,
                    ForwardingHeaders.Client client) {
        this.https = https;
        this.settings = settings;
        this.framing = framing;
        this.stream = framing == null;
        this.reads = reads;
        this.services = services;
        this.acmeChallenges = acmeChallenges;
        this.httpsPort = httpsPort;
        this.client = client;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            onRequest(request);
        }
        if (msg instanceof HttpContent content) {
            onContent(content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Flushes the request bytes handed to the backend during this read. Nothing is flushed toward the
     * client: every answer written here is written with a flush, and the exchange flushes what the
     * backend sends. (A flush with nothing pending is not free: the TLS handler queues an empty buffer
     * with a new promise and runs a wrap.)
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.flushRequest();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof FramingViolation violation) {
            reject(violation.status(), violation.reason());
            return;
        }
        if (evt instanceof SslCloseCompletionEvent) {
            // The client sent close_notify: it sends nothing more. Finish the exchange under way, if any,
            // then close; an idle connection closes now rather than at the keep-alive timeout.
            if (inRequest) {
                closeAfter = true;
            } else {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.abort();
            exchange = null;
        }
        if (inRequest) {
            inRequest = false;
            services.counters().requestFinished();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (resets, TLS failures): nothing to answer; routine for a proxy, so DEBUG only.
        LOG.debug("event=client_connection_error channel={} remote={} error={}",
                ctx.channel().id(), ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void onRequest(HttpRequest request) {
        inRequest = true;
        services.counters().requestStarted();
        requestComplete = false;
        responseStarted = false;
        closeAfter = !stream && !HttpUtil.isKeepAlive(request);
        headRequest = HttpMethod.HEAD.equals(request.method());
        http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        bodyBytes = 0;
        maxBody = Long.MAX_VALUE;
        bodyExpected = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        routeOptions = null;
        if (request.decoderResult().isFailure()) {
            reject(400, "malformed request");
            return;
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            reject(405, "CONNECT is not supported");
            return;
        }
        HttpHeaders headers = request.headers();
        if (stream) {
            String problem = Http2Requests.problem(headers);
            if (problem != null) {
                reject(400, problem);
                return;
            }
        }
        RequestTarget target = RequestTarget.parse(request.uri(), headers.get(HttpHeaderNames.HOST),
                HttpMethod.OPTIONS.equals(request.method()));
        if (target == null) {
            reject(400, "invalid request target or Host");
            return;
        }
        if (!https && target.path().startsWith(LocalResponses.ACME_PREFIX)
                && (HttpMethod.GET.equals(request.method()) || headRequest)) {
            String token = target.path().substring(LocalResponses.ACME_PREFIX.length());
            respondLocally(LocalResponses.acme(LocalResponses.isAcmeToken(token) ? acmeChallenges.apply(token) : null));
            return;
        }
        FrontendSettings current = settings.get(); // once per request: a reload applies from the next one
        RouteTable routes = current.routes();
        String sni = https ? ctx.channel().attr(TlsAttributes.SNI_HOST_NAME).get() : null;
        String host = target.host() != null ? target.host() : sni;
        RouteTable.HostRoutes sniRoutes = sni == null ? null : routes.host(sni);
        if (sni != null && sniRoutes == null) {
            respondError(421, "this server does not serve the TLS server name");
            return;
        }
        RouteTable.HostRoutes hostRoutes = routes.host(host);
        if (hostRoutes == null) {
            if (target.absolute()) {
                reject(400, "the target names a host not served here");
            } else {
                respondError(404, "no route for this host");
            }
            return;
        }
        if (sniRoutes != null && sniRoutes != hostRoutes) {
            respondError(421, "Host does not match the TLS server name");
            return;
        }
        Route route = hostRoutes.route(target.path());
        if (route == null) {
            respondError(404, "no route for this path");
            return;
        }
        routeOptions = route.options();
        ExchangeObserver.tagRoute(ctx.channel(), hostRoutes.label(route));
        maxBody = routeOptions.maxRequestBody();
        if (HttpUtil.getContentLength(request, -1L) > maxBody) {
            reject(413, "request body too large");
            return;
        }
        if (!https && routeOptions.httpBehaviour() == RouteOptions.HttpBehaviour.REDIRECT) {
            respondLocally(LocalResponses.toHttps(host, httpsPort, target.originForm()));
            return;
        }
        dispatch(request, route, target, host, current);
    }

    private void dispatch(HttpRequest request, Route route, RequestTarget target, String host, FrontendSettings current) {
        RouteAction action = route.action();
        if (action instanceof RouteAction.Respond respond) {
            respondLocally(LocalResponses.respond(respond));
        } else if (action instanceof RouteAction.Redirect redirect) {
            respondLocally(LocalResponses.redirect(redirect, host, target.originForm()));
        } else {
            proxy(request, (RouteAction.Proxy) action, target, host, current);
        }
    }

    private void proxy(HttpRequest request, RouteAction.Proxy proxy, RequestTarget target, String host, FrontendSettings current) {
        HttpHeaders in = request.headers();
        boolean connectionUpgrade = HopByHop.hasToken(in, HttpHeaderNames.CONNECTION, "upgrade");
        String upgradeValue = in.get(HttpHeaderNames.UPGRADE);
        if (upgradeValue != null && HopByHop.hasToken(in, HttpHeaderNames.UPGRADE, "h2c")) {
            upgradeValue = null; // h2c is never tunnelled: serve the request as plain HTTP/1.1
            connectionUpgrade = false;
        }
        boolean upgrade = connectionUpgrade && upgradeValue != null;
        if (connectionUpgrade && upgradeValue == null) {
            reject(400, "Connection: upgrade without Upgrade");
            return;
        }
        if (upgrade && (!routeOptions.allowUpgrade() || http10
                || HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0)) {
            reject(400, routeOptions.allowUpgrade() ? "malformed upgrade request" : "upgrade not allowed on this route");
            return;
        }
        String expect = in.get(HttpHeaderNames.EXPECT);
        boolean sendContinue = false;
        if (expect != null && !http10) {
            if (!expect.strip().equalsIgnoreCase("100-continue")) {
                respondError(417, "unsupported expectation");
                return;
            }
            sendContinue = true;
        }
        boolean teTrailers = "trailers".equalsIgnoreCase(String.valueOf(in.get(HttpHeaderNames.TE)).strip());
        if (client == null) {
            InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
            client = new ForwardingHeaders.Client(peer.getAddress(), https ? "https" : "http");
        }
        HttpRequest out = UpstreamRequest.of(request, target, host, upgrade ? upgradeValue : null,
                client, current.trusted(client.address()));
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        List<RouteAction.Upstream> order = services.balancer().order(proxy.upstreams());
        // The first upstream in turn decides the protocol; upstreams of the other kind sit this request out.
        boolean h2c = order.get(0).h2c();
        List<RouteAction.Upstream> candidates = order.size() == 1 ? order : order.stream().filter(u -> u.h2c() == h2c).toList();
        if (h2c) {
            if (upgrade) {
                reject(400, "upgrade not supported to an h2c upstream");
                return;
            }
            if (teTrailers) {
                out.headers().set(HttpHeaderNames.TE, "trailers"); // gRPC servers require it (RFC 9113 8.2.2)
            }
            exchange = new H2cExchange(this, ctx.channel(), reads, out, routeOptions, candidates,
                    services.h2c(), services.balancer());
        } else {
            exchange = new Exchange(this, ctx.channel(), reads, out, routeOptions, candidates, upgrade,
                    IDEMPOTENT.contains(request.method()) && !hasBody, services.pool(), services.balancer());
        }
        exchange.start();
        if (sendContinue) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    private void onContent(HttpContent content) {
        if (!inRequest || requestComplete) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        bodyBytes += content.content().readableBytes();
        if (content.decoderResult().isFailure()) {
            content.release();
            reject(400, "malformed request body");
            return;
        }
        if (bodyBytes > maxBody) {
            content.release();
            reject(413, "request body too large");
            return;
        }
        if (last) {
            requestComplete = true;
        }
        if (exchange != null) {
            exchange.requestContent(content);
        } else {
            content.release();
        }
        if (last) {
            maybeFinish(false);
        }
    }

    /** The backend's final response head, to be cleaned and sent on. Event loop only. */
    void responseHead(HttpResponse response) {
        responseStarted = true;
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        HttpHeaders headers = response.headers();
        boolean hadLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        HopByHop.strip(headers);
        int status = response.status().code();
        boolean bodyless = headRequest || status == 204 || status == 304 || status < 200;
        if (!bodyless && !hadLength && !stream) { // HTTP/2 frames the body itself
            if (http10) {
                closeAfter = true; // HTTP/1.0 has no chunked coding: delimit the body by closing
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        finishHeaders(headers);
        ctx.write(response, ctx.voidPromise());
    }

    /** The backend's response is complete and flushed. Event loop only. */
    void responseDone() {
        exchange = null;
        maybeFinish(true);
    }

    /** The exchange failed before a response head went out (else see {@link #truncate}). Event loop only. */
    void exchangeFailed(int status, String reason) {
        exchange = null;
        if (responseStarted) {
            truncate();
            return;
        }
        respondError(status, reason);
    }

    /** The backend broke off mid-response: close abruptly so the client sees the truncation. Event loop only. */
    void truncate() {
        exchange = null;
        failed = true;
        reads.suspend(ReadSuspension.FAILED);
        ctx.channel().close();
    }

    /**
     * The backend answered {@code 101}: send it on, then both HTTP codecs leave and the two channels
     * relay bytes. Event loop only.
     */
    void switchToTunnel(HttpResponse response, Channel backend, Duration idle) {
        exchange = null;
        if (inRequest) {
            inRequest = false;
            services.counters().requestFinished();
        }
        TunnelSwitch.install(ctx.channel(), this, response, backend, idle, services.counters(), framing, reads);
    }

    private void respondLocally(FullHttpResponse response) {
        respond(response);
    }

    private void respondError(int status, String reason) {
        respond(ErrorResponses.of(status, reason, false));
    }

    private void respond(FullHttpResponse response) {
        responseStarted = true;
        if (!requestComplete && bodyExpected) {
            closeAfter = true; // the rest of the body is not worth reading
        }
        finishHeaders(response.headers());
        lastWrite = ctx.writeAndFlush(response);
        maybeFinish(true);
    }

    /** Framing is in doubt or the request is refused for good: answer, close, read nothing more. */
    private void reject(int status, String reason) {
        failed = true;
        reads.suspend(ReadSuspension.FAILED);
        if (exchange != null) {
            exchange.abort();
            exchange = null;
        }
        if (responseStarted) {
            ctx.channel().close();
            return;
        }
        responseStarted = true;
        ChannelFuture answer = ctx.writeAndFlush(ErrorResponses.of(status, reason, true));
        if (stream) {
            answer.addListener(ChannelFutureListener.CLOSE); // resets the stream once the answer is out
        } else {
            LingeringClose.afterWrite(answer); // the client may be sending still
        }
    }

    private void finishHeaders(HttpHeaders headers) {
        if (services.counters().draining() && !stream) {
            closeAfter = true; // graceful shutdown: this response is the connection's last (HTTP/2: Http2Frontend)
        }
        if (closeAfter) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (https && routeOptions != null && routeOptions.hsts().isPresent()
                && !headers.contains(STRICT_TRANSPORT_SECURITY)) {
            headers.set(STRICT_TRANSPORT_SECURITY, "max-age=" + routeOptions.hsts().get().toSeconds());
        }
    }

    /** Ends the request when both its body and its response are done; {@code responseDone} says the latter just happened. */
    private boolean responseComplete;
    private ChannelFuture lastWrite;

    private void maybeFinish(boolean responseJustDone) {
        if (responseJustDone) {
            responseComplete = true;
        }
        if (!inRequest || !responseComplete) {
            return;
        }
        if (closeAfter) {
            finishRequest();
            failed = true;
            if (stream) {
                // The answer is complete but the request body is not: reset the stream once the answer
                // is written (RFC 9113 8.1), never before, or queued DATA would be dropped.
                (lastWrite != null ? lastWrite : ctx.newSucceededFuture()).addListener(ChannelFutureListener.CLOSE);
            } else {
                ChannelFuture flushed = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
                if (!requestComplete || framing.holdsBytes()) {
                    // Answered before the body was read, or pipelined requests follow that will not be
                    // answered: the client may be sending still.
                    LingeringClose.afterWrite(flushed);
                } else {
                    flushed.addListener(ChannelFutureListener.CLOSE);
                }
            }
            return;
        }
        if (!requestComplete) {
            return;
        }
        finishRequest();
        if (!stream) {
            framing.nextRequest();
        }
    }

    private void finishRequest() {
        inRequest = false;
        responseComplete = false;
        exchange = null;
        services.counters().requestFinished();
    }
}
