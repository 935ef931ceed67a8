package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import dev.portico.app.observe.ExchangeObserver;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.http.ReadSuspension;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request and its response, and the last handler of the backend connection while it runs.
 * The backend connection lives on the client connection's event loop (pooled or new), so every
 * method here runs on that one loop and nothing is locked. Bodies stream: request content goes to the
 * backend as it arrives (client reads stop while the backend is not writable), response content goes
 * to the client (backend reads stop while the client is not writable).
 *
 * <p>Failures: every upstream refused → 502; the backend's answer is not HTTP/1.x → 502; no head within
 * {@code responseHeaderTimeout} after the request was sent → 504; the backend closes before any
 * response byte on a reused connection and the request is idempotent without a body → retried once on
 * a new connection; closes or breaks after the head → the client connection is closed abruptly so the
 * client sees the truncation.
 */
@ChannelHandler.Sharable // never in two live pipelines: a retry moves it to a new connection
final class Exchange extends ChannelInboundHandlerAdapter implements UpstreamExchange {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    private final FrontendHandler frontend;
    private final Channel client;
    private final ReadSuspension clientReads;
    private final HttpRequest head;
    private final RouteOptions options;
    private final List<Upstream> candidates;
    private final boolean upgrade;
    private final boolean retryable;
    private final UpstreamPool pool;
    private final UpstreamBalancer balancer;
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(4);

    private int nextCandidate;
    private Upstream upstream;
    private Channel backend;
    private boolean reused;
    private boolean retried;
    private boolean requestSent;
    private boolean lastReceived;
    private boolean responseByte;
    private boolean responseHead;
    private boolean backendKeepAlive;
    private boolean swallowInterim;
    private boolean done;
    private ScheduledFuture<?> headTimer;

    Exchange(FrontendHandler frontend, Channel client, ReadSuspension clientReads, HttpRequest head,
             RouteOptions options, List<Upstream> candidates, boolean upgrade, boolean retryable,
             UpstreamPool pool, UpstreamBalancer balancer) {
        this.frontend = frontend;
        this.client = client;
        this.clientReads = clientReads;
        this.head = head;
        this.options = options;
        this.candidates = candidates;
        this.upgrade = upgrade;
        this.retryable = retryable;
        this.pool = pool;
        this.balancer = balancer;
    }

    /** Starts connecting; client reads pause until the backend can take the request. Event loop only. */
    @Override
    public void start() {
        clientReads.suspend(ReadSuspension.BACKPRESSURE);
        tryNext();
    }

    /** Passes request body content on (or queues it while connecting). Event loop only. */
    @Override
    public void requestContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        lastReceived |= content instanceof LastHttpContent;
        if (backend == null) {
            pending.add(content);
            return;
        }
        write(content);
        if (!backend.isWritable()) {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    /** Flushes what the client handed over in this read. Event loop only. */
    @Override
    public void flushRequest() {
        if (backend != null && !done) {
            backend.flush();
        }
    }

    /** The client's writability changed: backend reads follow it. Event loop only. */
    @Override
    public void clientWritabilityChanged() {
        if (backend != null && !done) {
            backend.config().setAutoRead(client.isWritable());
        }
    }

    /** The client went away or broke framing: drop the backend connection. Event loop only. */
    @Override
    public void abort() {
        if (done) {
            return;
        }
        finish();
        if (backend != null) {
            backend.close();
        }
    }

    private void tryNext() {
        if (nextCandidate >= candidates.size()) {
            fail(502, "no upstream accepted the connection");
            return;
        }
        upstream = candidates.get(nextCandidate++);
        ExchangeObserver.tagUpstream(client, upstream.toString());
        Channel pooled = pool.poll(client.eventLoop(), upstream);
        if (pooled != null) {
            attach(pooled, true);
        } else {
            connectFresh();
        }
    }

    private void connectFresh() {
        Upstream target = upstream;
        pool.connect(client, target, options.connectTimeout()).addListener((ChannelFuture f) -> {
            if (done) {
                f.channel().close();
                return;
            }
            if (f.isSuccess()) {
                balancer.markUp(target);
                attach(f.channel(), false);
            } else {
                balancer.markDown(target);
                tryNext();
            }
        });
    }

    private void attach(Channel ch, boolean pooled) {
        backend = ch;
        reused = pooled;
        ch.pipeline().replace(PipelineNames.HANDLER, PipelineNames.HANDLER, this);
        ch.pipeline().replace(PipelineNames.IDLE, PipelineNames.IDLE,
                new IdleStateHandler(0, 0, options.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
        ch.config().setAutoRead(client.isWritable());
        write(head);
        if (retried && lastReceived && pending.isEmpty()) {
            write(LastHttpContent.EMPTY_LAST_CONTENT); // a retried request has no body
        }
        HttpContent content;
        while ((content = pending.poll()) != null) {
            write(content);
        }
        ch.flush();
        if (ch.isWritable()) {
            clientReads.resume(ReadSuspension.BACKPRESSURE);
        }
    }

    private void write(Object msg) {
        boolean last = msg instanceof LastHttpContent;
        backend.write(msg).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                f.channel().close(); // seen as channelInactive below
            } else if (last) {
                requestWritten();
            }
        });
    }

    private void requestWritten() {
        requestSent = true;
        if (!responseHead && !done) {
            headTimer = client.eventLoop().schedule(() -> {
                headTimer = null;
                if (!responseHead && !done) {
                    fail(504, "the upstream did not answer in time");
                }
            }, options.responseHeaderTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || ctx.channel() != backend) {
            ReferenceCountUtil.release(msg);
            return;
        }
        responseByte = true;
        if (msg instanceof HttpResponse response) {
            onHead(response);
        }
        if (msg instanceof HttpContent content && !done) {
            onContent(content);
        } else if (msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            fail(502, "the upstream's answer is not valid HTTP/1.1");
            return;
        }
        int status = response.status().code();
        if (status >= 100 && status < 200 && status != 101) {
            swallowInterim = true; // interim answers stay between the backend and us (100 was ours to send)
            return;
        }
        cancelHeadTimer();
        if (status == 101) {
            if (!upgrade) {
                fail(502, "the upstream switched protocols unasked");
                return;
            }
            responseHead = true;
            done = true;
            frontend.switchToTunnel(response, backend, options.upgradeIdleTimeout());
            return;
        }
        responseHead = true;
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        frontend.responseHead(response);
    }

    private void onContent(HttpContent content) {
        if (swallowInterim) {
            content.release();
            swallowInterim = !(content instanceof LastHttpContent);
            return;
        }
        if (!responseHead) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            truncate();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        client.write(content, client.voidPromise());
        if (last) {
            client.flush();
            finish();
            if (backendKeepAlive && requestSent) {
                pool.release(backend, upstream);
            } else {
                backend.close();
            }
            frontend.responseDone();
        } else if (!client.isWritable()) {
            backend.config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done) {
            client.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (done) {
            return;
        }
        if (ctx.channel().isWritable()) {
            clientReads.resume(ReadSuspension.BACKPRESSURE);
        } else {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (done || ctx.channel() != backend) {
            return;
        }
        if (!responseByte && reused && retryable && !retried) {
            // A pooled connection the upstream had already closed: nothing was processed, so resend.
            retried = true;
            backend = null;
            requestSent = false;
            cancelHeadTimer();
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
            connectFresh();
            return;
        }
        if (!responseHead) {
            fail(502, "the upstream closed the connection");
        } else {
            truncate();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !done) {
            if (responseHead) {
                truncate();
            } else {
                fail(504, "the upstream did not answer in time");
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("event=upstream_connection_error channel={} upstream={} error={}", ctx.channel().id(), upstream, cause.toString());
        ctx.close(); // answered in channelInactive: 502 before the head, truncation after
    }

    private void fail(int status, String reason) {
        if (done) {
            return;
        }
        finish();
        if (backend != null) {
            backend.close();
        }
        frontend.exchangeFailed(status, reason);
    }

    private void truncate() {
        finish();
        backend.close();
        frontend.truncate();
    }

    private void finish() {
        done = true;
        cancelHeadTimer();
        HttpContent content;
        while ((content = pending.poll()) != null) {
            content.release();
        }
        clientReads.resume(ReadSuspension.BACKPRESSURE);
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }
}
