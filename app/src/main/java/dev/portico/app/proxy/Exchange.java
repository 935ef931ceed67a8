package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import dev.portico.app.observe.ExchangeObserver;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.http.ReadSuspension;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One proxied request and its response; the {@link UpstreamConnection.Owner} of the backend connection while it runs.
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
final class Exchange implements UpstreamExchange, UpstreamConnection.Owner {
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
    private UpstreamConnection connection;
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
    /** Completes the request's last write: arms the response head deadline, or closes on failure. */
    private final ChannelFutureListener lastWritten = f -> {
        if (!f.isSuccess()) {
            f.channel().close(); // seen as backendInactive
        } else {
            requestWritten();
        }
    };

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

    /**
     * Takes a pooled connection or starts connecting; client reads pause only while no backend
     * connection is attached (a body arriving meanwhile is queued, not read without bound). Event loop only.
     */
    @Override
    public void start() {
        tryNext();
        if (backend == null && !done) {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
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
        UpstreamConnection pooled = pool.poll(client.eventLoop(), upstream);
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
                attach(UpstreamPool.connectionOf(f.channel()), false);
            } else {
                balancer.markDown(target);
                tryNext();
            }
        });
    }

    private void attach(UpstreamConnection attached, boolean pooled) {
        connection = attached;
        Channel ch = attached.channel();
        backend = ch;
        reused = pooled;
        attached.own(this, options.idleTimeout().toNanos());
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
        connection.wrote();
        if (msg instanceof LastHttpContent) {
            backend.write(msg).addListener(lastWritten);
        } else {
            // Failures close the channel (seen as backendInactive); no listener needed per chunk.
            backend.write(msg, backend.voidPromise());
        }
    }

    private void requestWritten() {
        requestSent = true;
        if (!responseHead && !done) {
            connection.expectHeadWithin(options.responseHeaderTimeout().toNanos());
        }
    }

    @Override
    public void backendHeadTimeout() {
        if (!responseHead && !done) {
            fail(504, "the upstream did not answer in time");
        }
    }

    @Override
    public void backendRead(Object msg) {
        if (done) {
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
        connection.expectHeadWithin(0);
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
                pool.release(connection);
            } else {
                backend.close();
            }
            frontend.responseDone();
        } else if (!client.isWritable()) {
            backend.config().setAutoRead(false);
        }
    }

    @Override
    public void backendReadComplete() {
        if (!done) {
            client.flush();
        }
    }

    @Override
    public void backendWritabilityChanged(boolean writable) {
        if (done) {
            return;
        }
        if (writable) {
            clientReads.resume(ReadSuspension.BACKPRESSURE);
        } else {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    @Override
    public void backendInactive() {
        if (done) {
            return;
        }
        if (!responseByte && reused && retryable && !retried) {
            // A pooled connection the upstream had already closed: nothing was processed, so resend.
            retried = true;
            backend = null;
            connection = null;
            requestSent = false;
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
    public void backendIdle() {
        if (done) {
            return;
        }
        if (responseHead) {
            truncate();
        } else {
            fail(504, "the upstream did not answer in time");
        }
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
        if (connection != null) {
            connection.expectHeadWithin(0);
        }
        HttpContent content;
        while ((content = pending.poll()) != null) {
            content.release();
        }
        clientReads.resume(ReadSuspension.BACKPRESSURE);
    }
}
