package dev.portico.acme;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How Portico talks to one ACME CA. Immutable; the app maps its {@code acme:} config section into it.
 *
 * @param directory the ACME directory exactly as acme4j's {@code Session} takes it:
 *     {@code acme://letsencrypt.org}, {@code acme://letsencrypt.org/staging},
 *     {@code acme://pebble/localhost:14000} or an {@code https://} directory URL
 * @param email account contact
 * @param agreeToTerms whether the operator agreed to the CA's terms of service (required by most CAs)
 * @param caBundle PEM file of CAs to trust for the directory's own TLS instead of the JDK's (Pebble)
 * @param eab external account binding, for CAs that require one
 * @param keyType the key type of certificates (the account key is always ECDSA P-256)
 * @param profile ACME profile name, used when the CA offers it and skipped (with a warning) otherwise
 * @param requestTimeout connect and response timeout of every ACME request
 * @param pollInterval how often a pending authorization or order is polled
 * @param orderTimeout overall deadline of one order, from creation to the downloaded chain
 */
public record AcmeOptions(
        String directory,
        String email,
        boolean agreeToTerms,
        Optional<Path> caBundle,
        Optional<ExternalAccountBinding> eab,
        KeyType keyType,
        Optional<String> profile,
        Duration requestTimeout,
        Duration pollInterval,
        Duration orderTimeout) {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_ORDER_TIMEOUT = Duration.ofMinutes(5);

    public AcmeOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(caBundle, "caBundle");
        Objects.requireNonNull(eab, "eab");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(profile, "profile");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(pollInterval, "pollInterval");
        requirePositive(orderTimeout, "orderTimeout");
        if (directory.isBlank()) {
            throw new IllegalArgumentException("directory: empty (expected e.g. acme://letsencrypt.org)");
        }
    }

    /** Options with ECDSA P-256 keys, no CA bundle, no EAB, no profile and the default timeouts. */
    public static AcmeOptions of(String directory, String email, boolean agreeToTerms) {
        return new AcmeOptions(directory, email, agreeToTerms, Optional.empty(), Optional.empty(),
                KeyType.ECDSA_P256, Optional.empty(), DEFAULT_REQUEST_TIMEOUT, DEFAULT_POLL_INTERVAL,
                DEFAULT_ORDER_TIMEOUT);
    }

    public AcmeOptions withCaBundle(Path bundle) {
        return new AcmeOptions(directory, email, agreeToTerms, Optional.of(bundle), eab, keyType, profile,
                requestTimeout, pollInterval, orderTimeout);
    }

    public AcmeOptions withEab(ExternalAccountBinding binding) {
        return new AcmeOptions(directory, email, agreeToTerms, caBundle, Optional.of(binding), keyType, profile,
                requestTimeout, pollInterval, orderTimeout);
    }

    public AcmeOptions withKeyType(KeyType type) {
        return new AcmeOptions(directory, email, agreeToTerms, caBundle, eab, type, profile,
                requestTimeout, pollInterval, orderTimeout);
    }

    public AcmeOptions withProfile(String name) {
        return new AcmeOptions(directory, email, agreeToTerms, caBundle, eab, keyType, Optional.of(name),
                requestTimeout, pollInterval, orderTimeout);
    }

    public AcmeOptions withTimeouts(Duration request, Duration poll, Duration order) {
        return new AcmeOptions(directory, email, agreeToTerms, caBundle, eab, keyType, profile,
                request, poll, order);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /** External account binding (ZeroSSL, Google and others). The HMAC key is a secret: never logged. */
    public record ExternalAccountBinding(String keyId, String hmacKey) {
        public ExternalAccountBinding {
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(hmacKey, "hmacKey");
        }

        @Override
        public String toString() {
            return "ExternalAccountBinding[keyId=" + keyId + ", hmacKey=<redacted>]";
        }
    }

    /** Key type of issued certificates. */
    public enum KeyType { ECDSA_P256, RSA_2048 }
}
