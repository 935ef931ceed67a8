package dev.portico.acme;

import dev.portico.acme.renewal.Failure;
import dev.portico.acme.renewal.FailureKind;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeLazyLoadingException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUserActionRequiredException;

/**
 * Turns whatever an ACME attempt threw into a {@link Failure}: the exception type first (acme4j's
 * tree), then the RFC 8555 §6.7 problem type. Pure; any thread.
 */
final class FailureClassifier {
    private static final String ACME = "urn:ietf:params:acme:error:";

    private FailureClassifier() {}

    static Failure classify(Throwable t) {
        if (t instanceof AcmeLazyLoadingException && t.getCause() instanceof AcmeException cause) {
            // acme4j's lazy getters (e.g. Authorization#getStatus) wrap the real failure of their fetch.
            return classify(cause);
        }
        if (t instanceof AcmeRateLimitedException e) {
            return new Failure(FailureKind.RATE_LIMITED, Optional.of(e.getType()), detail(e.getProblem(), e),
                    e.getRetryAfter());
        }
        if (t instanceof AcmeUserActionRequiredException e) {
            return new Failure(FailureKind.NEEDS_HUMAN, Optional.of(e.getType()),
                    detail(e.getProblem(), e) + e.getTermsOfServiceUri().map(u -> " (terms: " + u + ")").orElse(""),
                    Optional.empty());
        }
        if (t instanceof AcmeServerException e) {
            return new Failure(byType(e.getType(), false), Optional.of(e.getType()), detail(e.getProblem(), e),
                    Optional.empty());
        }
        if (t instanceof AcmeNetworkException e) {
            return new Failure(FailureKind.NETWORK, Optional.empty(), message(e.getCause() != null ? e.getCause() : e),
                    Optional.empty());
        }
        if (t instanceof InterruptedException) {
            return new Failure(FailureKind.NETWORK, Optional.empty(), "order interrupted at its deadline", Optional.empty());
        }
        if (t instanceof OrderFailedException e) {
            Optional<URI> type = e.problem().map(Problem::getType);
            FailureKind kind = switch (e.reason()) {
                case CHALLENGE -> type.map(ty -> byType(ty, true)).orElse(FailureKind.CHALLENGE_FAILED);
                case ORDER -> type.map(ty -> byType(ty, false)).orElse(FailureKind.SERVER);
                case BAD_CERTIFICATE -> FailureKind.SERVER;
                case TIMEOUT -> FailureKind.NETWORK;
            };
            return new Failure(kind, type, e.getMessage(), Optional.empty());
        }
        if (t instanceof IOException) {
            // Local storage: a full disk or wrong permissions will not fix themselves.
            return new Failure(FailureKind.NEEDS_HUMAN, Optional.empty(), "storage: " + message(t), Optional.empty());
        }
        return new Failure(FailureKind.SERVER, Optional.empty(), message(t), Optional.empty());
    }

    /** RFC 8555 §6.7 problem types; {@code inChallenge} when the CA reported it for a validation. */
    static FailureKind byType(URI type, boolean inChallenge) {
        String t = type.toString();
        if (!t.startsWith(ACME)) {
            return inChallenge ? FailureKind.CHALLENGE_FAILED : FailureKind.SERVER;
        }
        return switch (t.substring(ACME.length())) {
            case "rateLimited" -> FailureKind.RATE_LIMITED;
            case "badNonce", "serverInternal" -> FailureKind.SERVER;
            case "malformed", "invalidContact", "unsupportedContact", "unsupportedIdentifier", "badCSR",
                    "badSignatureAlgorithm", "badPublicKey", "externalAccountRequired" -> FailureKind.BAD_CONFIG;
            case "caa", "rejectedIdentifier", "accountDoesNotExist", "userActionRequired", "badRevocationReason" ->
                    FailureKind.NEEDS_HUMAN;
            // In a challenge these mean the host did not answer as expected: usually transient
            // (listener not reachable yet, a deploy in progress) and retried on the table.
            case "unauthorized", "dns", "connection", "tls", "incorrectResponse" ->
                    inChallenge ? FailureKind.CHALLENGE_FAILED : FailureKind.NEEDS_HUMAN;
            default -> inChallenge ? FailureKind.CHALLENGE_FAILED : FailureKind.SERVER;
        };
    }

    private static String detail(Problem problem, Exception e) {
        return problem.getDetail().orElse(message(e));
    }

    /** The exception and its causes, e.g. {@code ConnectException <- ClosedChannelException: x}, at most 3 deep. */
    private static String message(Throwable t) {
        StringBuilder out = new StringBuilder();
        Throwable c = t;
        for (int depth = 0; c != null && depth < 3; depth++, c = c.getCause()) {
            if (depth > 0) {
                out.append(" <- ");
            }
            out.append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                out.append(": ").append(c.getMessage());
                break; // the first message says it; causes below usually repeat it
            }
        }
        return out.toString();
    }
}
