package dev.portico.tls.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition with a deadline: a small poll loop (checks every few milliseconds), never a
 * blind sleep. Fails with the reason when the deadline passes.
 */
public final class Await {
    private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

    private Await() {}

    /** Returns once {@code condition} is true; throws {@link AssertionError} saying {@code why} after {@code deadline}. */
    public static void until(Duration deadline, String why, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + why);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
