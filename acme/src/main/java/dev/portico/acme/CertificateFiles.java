package dev.portico.acme;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.storage.Storage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.shredzone.acme4j.toolbox.JSON;
import org.shredzone.acme4j.toolbox.JSONBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an ACME certificate lives in storage: {@code certificates/<primary-name>/chain.pem} (leaf
 * first), {@code key.pem} (PKCS#8, secret) and {@code meta.json} (names, serial, dates; informative).
 *
 * <p>Each file is stored atomically, and the write order makes the pair crash-safe as a whole: the new
 * key goes first to {@code key-next.pem}, then the chain, then {@code key.pem}; a reader that finds
 * chain and key mismatched (a crash between the two) takes {@code key-next.pem}. So a crash at any
 * instant leaves the old pair or the new one. Control plane only (file I/O).
 */
final class CertificateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateFiles.class);
    private static final Base64.Encoder PEM = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private final Storage storage;

    CertificateFiles(Storage storage) {
        this.storage = storage;
    }

    /** The primary name of a set: the first in sorted order, {@code *} spelled {@code _wildcard_}. */
    static String primary(Set<String> names) {
        return new TreeSet<>(names).first().replace("*", "_wildcard_");
    }

    static String dir(Set<String> names) {
        return "certificates/" + primary(names) + "/";
    }

    void store(ManagedCertificate certificate, String directory, Instant now) throws IOException {
        String dir = dir(certificate.names());
        byte[] key = pemKey(certificate.pair().key());
        storage.store(dir + "key-next.pem", key, true);
        storage.store(dir + "chain.pem", pemChain(certificate.pair().chain()), false);
        storage.store(dir + "key.pem", key, true);
        String meta = new JSONBuilder()
                .array("names", List.copyOf(certificate.names()))
                .put("serial", certificate.serialHex())
                .put("issuer", certificate.issuer())
                .put("notBefore", certificate.notBefore())
                .put("notAfter", certificate.notAfter())
                .put("directory", directory)
                .put("storedAt", now)
                .toString();
        storage.store(dir + "meta.json", (meta + "\n").getBytes(StandardCharsets.UTF_8), false);
        storage.delete(dir + "key-next.pem");
    }

    /**
     * The stored certificate for {@code names}, when there is one whose key matches and whose leaf
     * covers every name (dates are the caller's business: an expired certificate is still returned).
     */
    Optional<ManagedCertificate> load(Set<String> names) throws IOException {
        String dir = dir(names);
        Optional<byte[]> chainPem = storage.load(dir + "chain.pem");
        if (chainPem.isEmpty()) {
            return Optional.empty();
        }
        List<X509Certificate> chain;
        try {
            chain = parseChain(chainPem.get());
            if (chain.isEmpty() || !CertificateCheck.dnsNames(chain.get(0)).containsAll(names)) {
                LOG.warn("acme stored certificate ignored names={} reason=does-not-cover-names", names);
                return Optional.empty();
            }
        } catch (GeneralSecurityException | OrderFailedException e) {
            LOG.warn("acme stored certificate ignored names={} reason=unreadable detail={}", names, e.getMessage());
            return Optional.empty();
        }
        for (String keyFile : List.of("key.pem", "key-next.pem")) {
            Optional<byte[]> keyPem = storage.load(dir + keyFile);
            if (keyPem.isEmpty()) {
                continue;
            }
            try {
                return Optional.of(new ManagedCertificate(names, new CertificateKeyPair(chain, parseKey(keyPem.get()))));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                // Mismatch: a crash between storing the chain and the key; the other file has the match.
            }
        }
        LOG.warn("acme stored certificate ignored names={} reason=no-matching-key", names);
        return Optional.empty();
    }

    /** The directory the stored certificate for {@code names} came from, per its metadata. */
    Optional<String> directory(Set<String> names) throws IOException {
        Optional<byte[]> meta = storage.load(dir(names) + "meta.json");
        if (meta.isEmpty()) {
            return Optional.empty();
        }
        try {
            return JSON.parse(new String(meta.get(), StandardCharsets.UTF_8)).get("directory").optional()
                    .map(JSON.Value::asString);
        } catch (RuntimeException e) {
            return Optional.empty(); // unreadable metadata is informative only
        }
    }

    static byte[] pemChain(List<X509Certificate> chain) {
        StringBuilder out = new StringBuilder();
        try {
            for (X509Certificate c : chain) {
                out.append("-----BEGIN CERTIFICATE-----\n").append(PEM.encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded: " + e.getMessage(), e);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] pemKey(PrivateKey key) {
        return ("-----BEGIN PRIVATE KEY-----\n" + PEM.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static List<X509Certificate> parseChain(byte[] pem) throws GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    static PrivateKey parseKey(byte[] pem) throws GeneralSecurityException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("no PKCS#8 PRIVATE KEY block");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
