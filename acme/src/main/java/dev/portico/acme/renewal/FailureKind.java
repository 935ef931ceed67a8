package dev.portico.acme.renewal;

/** What a failed ACME attempt means for the next one (STYLE.md 19). */
public enum FailureKind {
    /** Connection refused, timeout, TLS failure: retry on the backoff table. */
    NETWORK(true),
    /** 5xx, exhausted {@code badNonce} retries, a bad or unverifiable certificate: retry on the table. */
    SERVER(true),
    /** {@code rateLimited}: wait for {@code Retry-After}, at least the table's delay. */
    RATE_LIMITED(true),
    /** The CA could not validate a challenge (e.g. the token answered 404): retry on the table. */
    CHALLENGE_FAILED(true),
    /** Malformed request, invalid or unsupported contact or identifier: fix the config. */
    BAD_CONFIG(false),
    /** Unauthorized, CAA, DNS, rejected identifier, account or terms problems, local storage: a human must act. */
    NEEDS_HUMAN(false);

    private final boolean transientFailure;

    FailureKind(boolean transientFailure) {
        this.transientFailure = transientFailure;
    }

    /** Whether retrying without any change can succeed. */
    public boolean isTransient() {
        return transientFailure;
    }
}
