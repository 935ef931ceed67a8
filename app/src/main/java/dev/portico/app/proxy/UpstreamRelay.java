package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.http.ReadSuspension;
import dev.portico.app.observe.ExchangeObserver;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The request side both kinds of exchange share: trying the candidate upstreams in turn, queueing body
 * content until a backend channel is attached, relaying it with backpressure both ways (client reads
 * stop while the backend is not writable; backend reads follow the client's writability), and ending
 * the exchange (fail before the response head, truncate after it, abort when the client goes). The
 * backend channel is an HTTP/1.1 connection ({@link Exchange}) or an HTTP/2 stream ({@link H2cExchange});
 * subclasses open it, write to it and read the response. Event loop of the client channel only.
 */
abstract class UpstreamRelay implements UpstreamExchange {
    protected final FrontendHandler frontend;
    protected final Channel client;
    protected final ReadSuspension clientReads;
    protected final HttpRequest head;
    protected final RouteOptions options;
    protected final UpstreamBalancer balancer;
    private final List<Upstream> candidates;
    /** Request content waiting for a backend; made only when some arrives first (rare with a pooled one). */
    private ArrayDeque<HttpContent> pending;
    private int nextCandidate;

    /** The upstream being tried or used. */
    protected Upstream upstream;
    /** The backend channel once attached; null while opening. */
    protected Channel backend;
    /** The request's last content has been handed over by the client. */
    protected boolean lastReceived;
    /** The response head went to the client: failures now truncate instead of answering. */
    protected boolean responseHead;
    /** The exchange is over; nothing more is relayed. */
    protected boolean done;

    UpstreamRelay(FrontendHandler frontend, Channel client, ReadSuspension clientReads, HttpRequest head,
                  RouteOptions options, List<Upstream> candidates, UpstreamBalancer balancer) {
        this.frontend = frontend;
        this.client = client;
        this.clientReads = clientReads;
        this.head = head;
        this.options = options;
        this.candidates = candidates;
        this.balancer = balancer;
    }

    /** Opens a backend channel to {@link #upstream}; calls {@link #attached} or {@link #tryNext}. */
    protected abstract void open();

    /** Writes one request object to {@link #backend}. */
    protected abstract void write(Object msg);

    /** Cancels the subclass's response deadline, if any. */
    protected abstract void cancelDeadlines();

    /**
     * Takes a backend, or starts opening one; client reads pause only while none is attached (a body
     * arriving meanwhile is queued, not read without bound).
     */
    @Override
    public void start() {
        tryNext();
        if (backend == null && !done) {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    @Override
    public void requestContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        lastReceived |= content instanceof LastHttpContent;
        if (backend == null) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(content);
            return;
        }
        write(content);
        if (!backend.isWritable()) {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    @Override
    public void flushRequest() {
        if (backend != null && !done) {
            backend.flush();
        }
    }

    @Override
    public void clientWritabilityChanged() {
        if (backend != null && !done) {
            backend.config().setAutoRead(client.isWritable());
        }
    }

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

    /** The next candidate upstream, or 502 when none is left. */
    protected final void tryNext() {
        if (nextCandidate >= candidates.size()) {
            fail(502, "no upstream accepted the connection");
            return;
        }
        upstream = candidates.get(nextCandidate++);
        ExchangeObserver.tagUpstream(client, upstream.toString());
        open();
    }

    /**
     * {@code channel} is the backend now: the head goes out, then what queued meanwhile ({@code emptyBody}:
     * an empty last content after the head, for a resent request whose end was already consumed).
     */
    protected final void attached(Channel channel, boolean emptyBody) {
        backend = channel;
        channel.config().setAutoRead(client.isWritable());
        write(head);
        if (emptyBody) {
            write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        HttpContent content;
        while ((content = nextPending()) != null) {
            write(content);
        }
        channel.flush();
        if (channel.isWritable()) {
            clientReads.resume(ReadSuspension.BACKPRESSURE);
        }
    }

    /** True while request content waits for a backend. */
    protected final boolean hasPending() {
        return pending != null && !pending.isEmpty();
    }

    /** The backend's writability changed: client reads follow it. */
    protected final void backendWritable(boolean writable) {
        if (done) {
            return;
        }
        if (writable) {
            clientReads.resume(ReadSuspension.BACKPRESSURE);
        } else {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    /** Answers the client with {@code status} (or truncates if the head went out) and drops the backend. */
    protected final void fail(int status, String reason) {
        if (done) {
            return;
        }
        finish();
        if (backend != null) {
            backend.close();
        }
        frontend.exchangeFailed(status, reason);
    }

    /** Cuts the client's response short: the backend broke off after the head. */
    protected final void truncate() {
        finish();
        backend.close();
        frontend.truncate();
    }

    /** Ends the exchange: releases queued content, lets the client read again. */
    protected final void finish() {
        done = true;
        cancelDeadlines();
        HttpContent content;
        while ((content = nextPending()) != null) {
            content.release();
        }
        clientReads.resume(ReadSuspension.BACKPRESSURE);
    }

    private HttpContent nextPending() {
        return pending == null ? null : pending.poll();
    }
}
