package dev.portico.acme.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The retry table: after the n-th consecutive failure wait {@code steps[n-1]} (the last step repeats),
 * spread by ±{@code jitter} so that many names failing together do not retry together, and never
 * before the server's {@code Retry-After}. Failures a human must fix go straight to the last step.
 *
 * <pre>
 * failure   1      2       3        4, 5, ...
 * wait      1 min  10 min  100 min  1 day      (each ±10 %)
 * </pre>
 */
public record Backoff(List<Duration> steps, double jitter) {

    public static final Backoff DEFAULT = new Backoff(
            List.of(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofMinutes(100), Duration.ofDays(1)), 0.1);

    public Backoff {
        steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("steps: empty (expected at least one delay)");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0 <= jitter < 1)");
        }
    }

    /**
     * When to try again after {@code failures} consecutive failures (at least 1) of kind {@code kind}.
     * The later of the jittered table delay and {@code retryAfter}.
     */
    public Instant nextAttempt(int failures, FailureKind kind, Instant now, Optional<Instant> retryAfter,
            RandomGenerator random) {
        return nextAttempt(failures, kind, now, retryAfter, Optional.empty(), random);
    }

    /**
     * As above, for a set whose current certificate expires at {@code notAfter}: a table step is
     * shortened to half the time left (but never below the first step), so a short-lived certificate
     * (6 days, renewed with 3 left) still gets several tries before it expires. {@code retryAfter} is
     * still honoured.
     */
    public Instant nextAttempt(int failures, FailureKind kind, Instant now, Optional<Instant> retryAfter,
            Optional<Instant> notAfter, RandomGenerator random) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures: " + failures + " (expected: >= 1)");
        }
        Duration base = kind.isTransient() ? steps.get(Math.min(failures, steps.size()) - 1) : steps.get(steps.size() - 1);
        if (notAfter.isPresent()) {
            Duration half = Duration.between(now, notAfter.get()).dividedBy(2);
            Duration floor = steps.get(0);
            Duration cap = half.compareTo(floor) > 0 ? half : floor;
            if (base.compareTo(cap) > 0) {
                base = cap;
            }
        }
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        Instant byTable = now.plusMillis(Math.round(base.toMillis() * factor));
        return retryAfter.filter(r -> r.isAfter(byTable)).orElse(byTable);
    }
}
