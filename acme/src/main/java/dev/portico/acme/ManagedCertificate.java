package dev.portico.acme;

import dev.portico.tls.certificate.CertificateKeyPair;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A verified certificate for a set of names, as handed to {@link CertificateListener}: the key belongs
 * to the leaf, the leaf covers every name, the chain links and the dates are sane.
 *
 * @param names the names this certificate was ordered for (lower-case A-labels), sorted
 */
public record ManagedCertificate(Set<String> names, CertificateKeyPair pair) {

    public ManagedCertificate {
        Objects.requireNonNull(pair, "pair");
        names = java.util.Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(names, "names")));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names: empty (expected at least one name)");
        }
    }

    public Instant notBefore() {
        return pair.leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return pair.leaf().getNotAfter().toInstant();
    }

    public BigInteger serial() {
        return pair.leaf().getSerialNumber();
    }

    /** The serial number in lower-case hex, as CAs and crt.sh show it. */
    public String serialHex() {
        return serial().toString(16);
    }

    public String issuer() {
        return pair.leaf().getIssuerX500Principal().getName();
    }
}
