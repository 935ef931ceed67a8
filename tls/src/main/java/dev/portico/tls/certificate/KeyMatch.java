package dev.portico.tls.certificate;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/** Proves a private key belongs to a certificate by signing and verifying a probe. */
final class KeyMatch {
    private static final byte[] PROBE = "portico key match probe".getBytes(StandardCharsets.US_ASCII);

    private KeyMatch() {}

    static void requireMatches(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519" -> "Ed25519";
            default -> throw new IllegalArgumentException("key: unsupported algorithm " + key.getAlgorithm()
                    + " (expected RSA, EC or Ed25519)");
        };
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(PROBE);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("key: does not match the certificate for "
                        + certificate.getSubjectX500Principal().getName());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key: does not match the certificate for "
                    + certificate.getSubjectX500Principal().getName() + " (" + e.getMessage() + ")", e);
        }
    }
}
