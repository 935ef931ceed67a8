package dev.portico.tls.certificate;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A certificate chain (leaf first) and the private key of its leaf: what any source (ACME, PEM
 * files, a PKCS#12 keystore, the internal CA) produces and the store serves.
 *
 * <p>The compact constructor checks that the key belongs to the leaf, so a mismatched pair can never
 * reach a handshake.
 */
public record CertificateKeyPair(List<X509Certificate> chain, PrivateKey key) {

    public CertificateKeyPair {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(Objects.requireNonNull(chain, "chain"));
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: empty (expected the leaf certificate first)");
        }
        KeyMatch.requireMatches(chain.get(0), key);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }
}
