package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.util.Objects;
import java.util.Optional;

/**
 * Server-wide TLS settings: which provider to use, and which certificate answers a handshake whose
 * SNI name matches nothing (empty: such handshakes fail with an {@code unrecognized_name} alert).
 */
public record TlsSettings(Provider provider, Optional<HostPattern> defaultHost) {
    public TlsSettings {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(defaultHost, "defaultHost");
    }

    /** {@code auto}: OpenSSL (netty-tcnative BoringSSL) when it loads, else the JDK. */
    public enum Provider { AUTO, OPENSSL, JDK }
}
