package dev.portico.app.http;

import io.netty.channel.Channel;

/**
 * The reasons a client connection has stopped reading, one bit each, so that the pipelining gate and
 * backpressure from the backend never undo each other: {@code autoRead} is on only when no reason
 * holds. One per client channel; event loop only.
 */
public final class ReadSuspension {
    /** The current request is complete; the next one waits until its response is done. */
    public static final int GATE = 1;
    /** The backend connection cannot take more bytes (or is not connected yet). */
    public static final int BACKPRESSURE = 2;
    /** The connection failed; nothing more is read. */
    public static final int FAILED = 4;

    private final Channel channel;
    private int reasons;

    public ReadSuspension(Channel channel) {
        this.channel = channel;
    }

    /** Stops reading for {@code reason}. Event loop only. */
    public void suspend(int reason) {
        reasons |= reason;
        channel.config().setAutoRead(false);
    }

    /** Lifts {@code reason}; reading resumes when no other reason holds. Event loop only. */
    public void resume(int reason) {
        reasons &= ~reason;
        if (reasons == 0) {
            channel.config().setAutoRead(true);
        }
    }

    /** True while {@code reason} holds. */
    public boolean holds(int reason) {
        return (reasons & reason) != 0;
    }
}
