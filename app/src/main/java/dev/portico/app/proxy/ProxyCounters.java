package dev.portico.app.proxy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live state for metrics and graceful shutdown: requests between head received and response done,
 * upgraded tunnels open, and whether the process is draining. Updated on event loops and by the
 * control plane, read from any thread.
 */
public final class ProxyCounters {
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Striped: every request of every event loop touches it twice; one shared atomic would bounce between cores. */
    private final LongAdder inFlight = new LongAdder();
    private final AtomicInteger openTunnels = new AtomicInteger();

    /** Requests whose head has arrived and whose exchange has not finished. Any thread. */
    public int inFlight() {
        return (int) inFlight.sum();
    }

    /** Upgraded connections (WebSocket and others) relaying bytes now. Any thread. */
    public int openTunnels() {
        return openTunnels.get();
    }

    /**
     * Starts a graceful shutdown: from now on every HTTP/1.1 response carries {@code Connection: close}
     * and its connection closes once the response is done. Tunnels are left to the caller's deadline.
     * Control plane.
     */
    public void startDraining() {
        draining.set(true);
    }

    /** True once {@link #startDraining} was called. Any thread. */
    public boolean draining() {
        return draining.get();
    }

    void requestStarted() {
        inFlight.increment();
    }

    void requestFinished() {
        inFlight.decrement();
    }

    void tunnelOpened() {
        openTunnels.incrementAndGet();
    }

    void tunnelClosed() {
        openTunnels.decrementAndGet();
    }
}
