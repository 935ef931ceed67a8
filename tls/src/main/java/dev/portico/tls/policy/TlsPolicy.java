package dev.portico.tls.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How Portico's server contexts are configured. The protocol versions and cipher suites are fixed
 * ({@link #PROTOCOLS}, {@link #CIPHER_SUITES}); what varies is the provider, the ALPN list and the
 * ticket key rotation.
 *
 * @param provider which TLS implementation to use
 * @param applicationProtocols ALPN protocols in server preference order, e.g. {@code [h2, http/1.1]};
 *     empty switches ALPN off
 * @param ticketKeyRotation how often a new session ticket key is made (OpenSSL provider); the
 *     previous {@link #TICKET_KEYS_KEPT}{@code - 1} keys still decrypt tickets, and a session lives at
 *     most one period, so a ticket always outlives neither its key nor its session
 */
public record TlsPolicy(TlsProvider provider, List<String> applicationProtocols, Duration ticketKeyRotation) {

    /** TLS 1.3 and 1.2 only; older versions are refused during the handshake. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * AEAD suites only, in preference order: the TLS 1.3 suites, then ECDHE with AES-GCM or
     * ChaCha20-Poly1305 for TLS 1.2 (forward secrecy, no CBC, no RSA key exchange). Suites a provider
     * lacks are skipped.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** How many ticket keys are kept: the current one encrypts, all of them decrypt. */
    public static final int TICKET_KEYS_KEPT = 3;

    /** HTTP/1.1 only for now. */
    public static final List<String> HTTP_1_1 = List.of("http/1.1");

    public TlsPolicy {
        Objects.requireNonNull(provider, "provider");
        applicationProtocols = List.copyOf(Objects.requireNonNull(applicationProtocols, "applicationProtocols"));
        Objects.requireNonNull(ticketKeyRotation, "ticketKeyRotation");
        if (ticketKeyRotation.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("ticketKeyRotation: " + ticketKeyRotation + " (expected: >= 1m)");
        }
        for (String protocol : applicationProtocols) {
            if (protocol.isBlank()) {
                throw new IllegalArgumentException("applicationProtocols: blank entry in " + applicationProtocols);
            }
        }
    }

    /** Provider AUTO, ALPN {@code http/1.1}, a new ticket key every 12 hours. */
    public static TlsPolicy defaults() {
        return new TlsPolicy(TlsProvider.AUTO, HTTP_1_1, Duration.ofHours(12));
    }

    /** This policy with another provider. */
    public TlsPolicy withProvider(TlsProvider newProvider) {
        return new TlsPolicy(newProvider, applicationProtocols, ticketKeyRotation);
    }

    /** This policy with another ALPN list (e.g. {@code List.of("h2", "http/1.1")}). */
    public TlsPolicy withApplicationProtocols(List<String> protocols) {
        return new TlsPolicy(provider, protocols, ticketKeyRotation);
    }
}
