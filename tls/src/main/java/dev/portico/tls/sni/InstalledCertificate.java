package dev.portico.tls.sni;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of the operator listing of the store: a name and what it serves.
 *
 * @param name the installed name (exact or wildcard)
 * @param subject the leaf's subject distinguished name
 * @param issuer the leaf's issuer distinguished name
 * @param notAfter the end of the leaf's validity
 * @param source where the certificate came from ({@code internal}, {@code file:/path}, {@code acme})
 * @param isDefault whether this name is the configured default
 */
public record InstalledCertificate(HostPattern name, String subject, String issuer, Instant notAfter,
                                   String source, boolean isDefault) {
    public InstalledCertificate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(source, "source");
    }
}
