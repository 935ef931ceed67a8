package dev.portico.acme.renewal;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A classified failure of one ACME attempt.
 *
 * @param kind what it means for the next attempt
 * @param problemType the ACME problem type ({@code urn:ietf:params:acme:error:...}) when the CA sent one
 * @param detail a human-readable explanation (never a secret)
 * @param retryAfter the server's {@code Retry-After}, when it sent one
 */
public record Failure(FailureKind kind, Optional<URI> problemType, String detail, Optional<Instant> retryAfter) {
    public Failure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(problemType, "problemType");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** One line for logs and operator state: {@code CHALLENGE_FAILED urn:...:unauthorized: detail}. */
    public String summary() {
        return kind + problemType.map(t -> " " + t).orElse("") + ": " + detail;
    }
}
