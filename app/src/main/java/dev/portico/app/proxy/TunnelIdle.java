package dev.portico.app.proxy;

import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of a tunnel: closes both sides once neither has read a byte for {@code idle}, so
 * traffic in one direction alone (a server pushing to a quiet client) keeps it open. One timer for
 * the tunnel, moved on lazily: a read only notes the time, and the timer, when it fires, sleeps again
 * for what is left. (An all-idle {@code IdleStateHandler} on each side would put a new promise and a
 * listener on every write.) Event loop of the two channels only.
 */
final class TunnelIdle implements Runnable {
    private final Channel client;
    private final Channel backend;
    private final long idleNanos;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;

    TunnelIdle(Channel client, Channel backend, long idleNanos) {
        this.client = client;
        this.backend = backend;
        this.idleNanos = idleNanos;
    }

    /** Starts counting from now. */
    void start() {
        lastReadNanos = System.nanoTime();
        timer = client.eventLoop().schedule(this, idleNanos, TimeUnit.NANOSECONDS);
    }

    /** Either side has just read (called once per read batch, not per buffer). */
    void readOnce() {
        lastReadNanos = System.nanoTime();
    }

    /** The tunnel is closing: the timer is not needed any more. */
    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void run() {
        if (timer == null) {
            return; // stopped while this run was already queued
        }
        long left = lastReadNanos + idleNanos - System.nanoTime();
        if (left > 0) {
            timer = client.eventLoop().schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        timer = null;
        client.close();
        backend.close();
    }
}
