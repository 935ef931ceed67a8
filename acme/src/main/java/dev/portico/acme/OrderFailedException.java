package dev.portico.acme;

import java.util.Optional;
import org.shredzone.acme4j.Problem;

/** An order that ended without a usable certificate, with the CA's problem document when it sent one. */
final class OrderFailedException extends Exception {
    /** Where the order failed. */
    enum Reason {
        /** An authorization or its challenge became invalid. */
        CHALLENGE,
        /** The order itself became invalid. */
        ORDER,
        /** The CA issued something we must not serve (key, names, chain or dates wrong). */
        BAD_CERTIFICATE,
        /** The overall order deadline passed. */
        TIMEOUT
    }

    private final Reason reason;
    private final transient Problem problem;

    OrderFailedException(Reason reason, String message, Problem problem) {
        super(message);
        this.reason = reason;
        this.problem = problem;
    }

    OrderFailedException(Reason reason, String message) {
        this(reason, message, null);
    }

    Reason reason() {
        return reason;
    }

    Optional<Problem> problem() {
        return Optional.ofNullable(problem);
    }
}
