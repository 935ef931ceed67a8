package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
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
final class Exchange extends UpstreamRelay implements UpstreamConnection.Owner {
    private final boolean upgrade;
    private final boolean retryable;
    private final UpstreamPool pool;

    private UpstreamConnection connection;
    private boolean reused;
    private boolean retried;
    private boolean requestSent;
    private boolean responseByte;
    private boolean backendKeepAlive;
    private boolean swallowInterim;
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
        super(frontend, client, clientReads, head, options, candidates, balancer);
        this.upgrade = upgrade;
        this.retryable = retryable;
        this.pool = pool;
    }

    @Override
    protected void open() {
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
        reused = pooled;
        attached.own(this, options.idleTimeout().toNanos());
        // A resent request whose last content was already consumed had no body: end it again.
        attached(attached.channel(), retried && lastReceived && !hasPending());
    }

    @Override
    protected void write(Object msg) {
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
    protected void cancelDeadlines() {
        if (connection != null) {
            connection.expectHeadWithin(0);
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
        backendWritable(writable);
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
}
