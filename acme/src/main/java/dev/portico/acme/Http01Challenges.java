package dev.portico.acme;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP-01 challenges in flight (RFC 8555 §8.3): token → key authorization. The port-80 listener
 * answers {@code GET /.well-known/acme-challenge/<token>} with {@link #keyAuthorization(String)} as
 * {@code text/plain}. A token is present only while its order waits for validation.
 *
 * <p>Thread-safe; one instance is shared by the app's HTTP listener and the ACME scheduler.
 */
public final class Http01Challenges {
    private final ConcurrentHashMap<String, String> byToken = new ConcurrentHashMap<>();

    /**
     * The key authorization for {@code token}, or {@code null} when no pending order uses it.
     * Event loop: one hash lookup, never blocks.
     */
    public String keyAuthorization(String token) {
        return token == null ? null : byToken.get(token);
    }

    /** Control plane: publishes a token before its challenge is triggered. */
    void add(String token, String keyAuthorization) {
        byToken.put(Objects.requireNonNull(token, "token"),
                Objects.requireNonNull(keyAuthorization, "keyAuthorization"));
    }

    /** Control plane: withdraws a token once its authorization is settled. */
    void remove(String token) {
        byToken.remove(token);
    }

    /** How many tokens are published now (for tests and metrics). */
    public int size() {
        return byToken.size();
    }
}
