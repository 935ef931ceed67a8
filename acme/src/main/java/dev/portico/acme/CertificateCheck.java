package dev.portico.acme;

import dev.portico.tls.certificate.CertificateKeyPair;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a chain before it may be stored or served: the key belongs to the leaf, the leaf's
 * subjectAltName covers every requested name, each certificate is signed by the next one, and the
 * leaf's dates are sane ({@code notBefore <= now + skew}, {@code notAfter > now}). Pure apart from
 * the signature checks; any thread.
 */
final class CertificateCheck {
    /** Clock skew tolerated between the CA and this host for notBefore. */
    static final Duration SKEW = Duration.ofMinutes(5);

    private CertificateCheck() {}

    static ManagedCertificate verify(List<X509Certificate> chain, PrivateKey key, Set<String> names, Instant now)
            throws OrderFailedException {
        if (chain == null || chain.isEmpty()) {
            throw bad("the CA returned no certificate");
        }
        CertificateKeyPair pair;
        try {
            pair = new CertificateKeyPair(chain, key);
        } catch (IllegalArgumentException e) {
            throw bad("key does not match the issued certificate: " + e.getMessage());
        }
        X509Certificate leaf = chain.get(0);
        Set<String> covered = dnsNames(leaf);
        for (String name : names) {
            if (!covered.contains(name.toLowerCase(Locale.ROOT))) {
                throw bad("certificate does not cover " + name + " (subjectAltName: " + covered + ")");
            }
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate child = chain.get(i);
            X509Certificate parent = chain.get(i + 1);
            if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
                throw bad("chain broken at " + i + ": issuer " + child.getIssuerX500Principal().getName()
                        + " is not " + parent.getSubjectX500Principal().getName());
            }
            try {
                child.verify(parent.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw bad("chain broken at " + i + ": signature does not verify (" + e.getMessage() + ")");
            }
        }
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (notBefore.isAfter(now.plus(SKEW))) {
            throw bad("certificate not valid before " + notBefore + " (now " + now + ")");
        }
        if (!notAfter.isAfter(now)) {
            throw bad("certificate expired at " + notAfter + " (now " + now + ")");
        }
        return new ManagedCertificate(names, pair);
    }

    static Set<String> dnsNames(X509Certificate leaf) throws OrderFailedException {
        Set<String> out = new HashSet<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) { // dNSName, RFC 5280 §4.2.1.6
                        out.add(san.get(1).toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw bad("unreadable subjectAltName: " + e.getMessage());
        }
        return out;
    }

    private static OrderFailedException bad(String detail) {
        return new OrderFailedException(OrderFailedException.Reason.BAD_CERTIFICATE, detail);
    }
}
