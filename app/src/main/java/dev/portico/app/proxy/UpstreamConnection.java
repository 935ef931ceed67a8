package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/1.1 backend connection for its whole life, pooled or in use: it passes
 * events to the {@link Owner} that holds the connection now (an {@link Exchange}) and keeps the
 * connection's deadlines. While pooled (no owner), anything the upstream sends is unsolicited and closes
 * the connection, and so does the pool's idle timeout; a close removes it from the pool.
 *
 * <p>Staying in the pipeline, rather than swapping handlers per request, spares the pipeline edits and
 * the timer tasks a request would otherwise cost: activity only moves a timestamp, and one timer per
 * connection, rescheduled only when a deadline comes closer, checks the deadlines when it fires
 * (the way {@link io.netty.handler.timeout.IdleStateHandler} works inside). Event loop only.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnection.class);

    /** What the connection reports to while an exchange holds it. Event loop only. */
    interface Owner {
        void backendRead(Object msg);

        void backendReadComplete();

        void backendWritabilityChanged(boolean writable);

        void backendInactive();

        /** Nothing was read or written for the idle timeout the owner set. */
        void backendIdle();

        /** The response head deadline the owner set has passed. */
        void backendHeadTimeout();
    }

    private final UpstreamPool pool;
    private final Upstream upstream;
    private ChannelHandlerContext ctx;
    private Owner owner;
    private long lastActivity = System.nanoTime();
    private long idleNanos;
    /** When the response head is due ({@link System#nanoTime}); 0 when none is awaited. */
    private long headDeadline;
    private ScheduledFuture<?> timer;
    private long timerAt;

    UpstreamConnection(UpstreamPool pool, Upstream upstream, long poolIdleNanos) {
        this.pool = pool;
        this.upstream = upstream;
        this.idleNanos = poolIdleNanos;
    }

    Channel channel() {
        return ctx.channel();
    }

    Upstream upstream() {
        return upstream;
    }

    /** An exchange takes the connection; {@code idle} bounds silence both ways while it runs. */
    void own(Owner newOwner, long idle) {
        owner = newOwner;
        lastActivity = System.nanoTime();
        idleNanos = idle;
        headDeadline = 0;
        ensureTimer(lastActivity + idle);
    }

    /** Back to the pool: the owner hears nothing more; the pool's idle timeout applies. */
    void pooled(long poolIdle) {
        owner = null;
        headDeadline = 0;
        idleNanos = poolIdle;
        lastActivity = System.nanoTime();
        ensureTimer(lastActivity + poolIdle);
    }

    /** The owner wrote to the backend: that counts as activity. */
    void wrote() {
        lastActivity = System.nanoTime();
    }

    /** The response head must arrive within {@code nanos} from now; 0 cancels. */
    void expectHeadWithin(long nanos) {
        if (nanos == 0) {
            headDeadline = 0;
            return;
        }
        headDeadline = System.nanoTime() + nanos;
        if (headDeadline == 0) {
            headDeadline = 1;
        }
        ensureTimer(headDeadline);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ensureTimer(lastActivity + idleNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer(); // leaves for a tunnel, or the channel is gone
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastActivity = System.nanoTime();
        if (owner != null) {
            owner.backendRead(msg);
        } else {
            ReferenceCountUtil.release(msg); // unsolicited while pooled
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.backendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.backendWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        Owner current = owner;
        owner = null;
        pool.remove(this); // also when it was lent out: its upstream may be gone from the config
        if (current != null) {
            current.backendInactive();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("event=upstream_connection_error channel={} upstream={} error={}", ctx.channel().id(), upstream, cause.toString());
        ctx.close(); // the owner hears of it in channelInactive: 502 before the head, truncation after
    }

    private void ensureTimer(long at) {
        if (ctx == null) {
            return; // scheduled in handlerAdded
        }
        if (timer != null && at - timerAt >= 0) {
            return; // the timer fires before this deadline anyway and will look again
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = ctx.executor().schedule(this::tick, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (headDeadline != 0 && now - headDeadline >= 0) {
            headDeadline = 0;
            if (owner != null) {
                owner.backendHeadTimeout();
            }
            if (timer != null || !ctx.channel().isActive()) {
                return;
            }
        }
        long idleAt = lastActivity + idleNanos;
        if (now - idleAt >= 0) {
            if (owner != null) {
                owner.backendIdle();
            } else {
                ctx.close();
            }
            return;
        }
        ensureTimer(headDeadline != 0 && headDeadline - idleAt < 0 ? headDeadline : idleAt);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
