package dev.portico.acme.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to renew a certificate: pure functions of the certificate's dates, the CA's renewal
 * information, the current instant and a random source. The scheduler calls them; tests pin the
 * boundaries with fixed instants.
 */
public final class RenewalPolicy {
    /** Certificates shorter than this renew at half their lifetime instead of at two thirds. */
    static final Duration SHORT_LIFETIME = Duration.ofDays(10);
    /** RFC 9773 §4.3: poll renewal information about twice a day when the CA gives no Retry-After. */
    public static final Duration ARI_RECHECK = Duration.ofHours(12);
    /** Never re-check ARI sooner than this, whatever Retry-After says. */
    static final Duration ARI_MIN_RECHECK = Duration.ofMinutes(1);
    /** Never trust a Retry-After on renewal information further away than this. */
    static final Duration ARI_MAX_RECHECK = Duration.ofDays(1);

    private RenewalPolicy() {}

    /**
     * The instant to renew at.
     *
     * <p>With a suggested window (RFC 9773 §4.2), a uniformly random instant in
     * {@code [max(start, now), end)} at millisecond resolution, so that many clients spread their
     * load; {@code now} when the window has already closed. Without one, when a third of the lifetime
     * remains ({@code notAfter - lifetime/3}), or half of it for certificates shorter than 10 days:
     * a 90-day certificate renews after 60 days, a 45-day one after 30, a 6-day one after 3.
     *
     * <p>The result may lie in the past: the certificate is then due at once.
     */
    public static Instant renewAt(Instant notBefore, Instant notAfter, Optional<AriWindow> window,
            Instant now, RandomGenerator random) {
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(random, "random");
        if (window.isPresent()) {
            AriWindow w = window.get();
            Instant start = w.start().isAfter(now) ? w.start() : now;
            long span = w.end().toEpochMilli() - start.toEpochMilli();
            if (span <= 0) {
                return now;
            }
            return Instant.ofEpochMilli(start.toEpochMilli() + random.nextLong(span));
        }
        Duration lifetime = Duration.between(notBefore, notAfter);
        Duration remaining = lifetime.compareTo(SHORT_LIFETIME) < 0 ? lifetime.dividedBy(2) : lifetime.dividedBy(3);
        return notAfter.minus(remaining);
    }

    /** Whether a certificate whose renewal instant is {@code renewAt} must be renewed at {@code now}. */
    public static boolean isDue(Instant renewAt, Instant now) {
        return !now.isBefore(renewAt);
    }

    /**
     * When to fetch the renewal information again: at the server's {@code Retry-After} when it gave
     * one (RFC 9773 §4.3), kept within one minute and one day from now, else in 12 hours.
     */
    public static Instant nextAriCheck(Instant now, Optional<Instant> retryAfter) {
        Instant earliest = now.plus(ARI_MIN_RECHECK);
        Instant latest = now.plus(ARI_MAX_RECHECK);
        Instant wanted = retryAfter.orElse(now.plus(ARI_RECHECK));
        if (wanted.isBefore(earliest)) {
            return earliest;
        }
        return wanted.isAfter(latest) ? latest : wanted;
    }
}
