package dev.portico.app.proxy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live counts for metrics and graceful shutdown: requests between head received and response done,
 * and upgraded tunnels open. Updated on event loops, read from any thread.
 */
public final class ProxyCounters {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger openTunnels = new AtomicInteger();

    /** Requests whose head has arrived and whose exchange has not finished. Any thread. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Upgraded connections (WebSocket and others) relaying bytes now. Any thread. */
    public int openTunnels() {
        return openTunnels.get();
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestFinished() {
        inFlight.decrementAndGet();
    }

    void tunnelOpened() {
        openTunnels.incrementAndGet();
    }

    void tunnelClosed() {
        openTunnels.decrementAndGet();
    }
}
