package dev.portico.acme;

import dev.portico.acme.renewal.AriWindow;
import dev.portico.acme.renewal.Failure;
import java.time.Instant;
import java.util.Set;

/**
 * The scheduler's mutable state of one managed set of names. Every field is guarded by the
 * {@link RenewalScheduler}'s monitor; nothing else touches it.
 */
final class ManagedSet {
    final Set<String> names;
    /** The certificate being served, or null before the first issuance. */
    ManagedCertificate current;
    /** When to order next: the renewal time, or the next retry after a failure. */
    Instant dueAt;
    /** When to fetch ARI next; null when the CA offers none. */
    Instant ariCheckAt;
    /** The last suggested window, to re-pick the renewal time only when the CA moves it. */
    AriWindow ariWindow;
    int failures;
    Failure lastError;
    /** An order or ARI check for this set is on the pool. */
    boolean running;
    /** Unmanaged while an order was running: its result is not installed. */
    boolean removed;

    ManagedSet(Set<String> names) {
        this.names = names;
    }

    /** The earlier of the next order and the next ARI check; null when nothing is planned. */
    Instant nextWake() {
        if (dueAt == null) {
            return ariCheckAt;
        }
        return ariCheckAt != null && ariCheckAt.isBefore(dueAt) ? ariCheckAt : dueAt;
    }
}
