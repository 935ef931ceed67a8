package dev.portico.tls.certificate;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM as certificate files and storage hold it. Reads certificate chains and private keys in
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), traditional PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1
 * EC ({@code BEGIN EC PRIVATE KEY}), with Bouncy Castle's {@link PEMParser}; writes certificates and
 * PKCS#8 keys. Keys come out as plain JCA keys usable by both TLS providers.
 *
 * <p>Pure functions of their input; any thread (they parse, so not on an event loop).
 */
public final class Pem {
    private Pem() {}

    /**
     * Reads a chain (leaf first) and the key for its leaf. The two inputs may be the same bytes (one
     * combined file). {@code chainOrigin} and {@code keyOrigin} name them in errors.
     *
     * @throws CertificateLoadException with the origin and reason: no certificate, no key, an
     *     encrypted key, garbage, or a key that does not match the leaf
     */
    public static CertificateKeyPair parseKeyPair(byte[] chainPem, String chainOrigin, byte[] keyPem, String keyOrigin)
            throws CertificateLoadException {
        List<X509Certificate> chain = parseCertificates(chainPem, chainOrigin);
        PrivateKey key = parsePrivateKey(keyPem, keyOrigin);
        try {
            return new CertificateKeyPair(chain, key);
        } catch (IllegalArgumentException e) {
            throw new CertificateLoadException(keyOrigin + ": key does not match certificate "
                    + chain.get(0).getSubjectX500Principal().getName() + " in " + chainOrigin, e);
        }
    }

    /** Every certificate in {@code pem}, in order; other PEM blocks (keys) are skipped. */
    public static List<X509Certificate> parseCertificates(byte[] pem, String origin) throws CertificateLoadException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects(pem, origin)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new CertificateLoadException(origin + ": unreadable certificate (" + e.getMessage() + ")", e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new CertificateLoadException(origin + ": no certificate found (expected -----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(certificates);
    }

    /** The one private key in {@code pem}; certificates in the same input are skipped. */
    public static PrivateKey parsePrivateKey(byte[] pem, String origin) throws CertificateLoadException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey found = null;
        for (Object object : objects(pem, origin)) {
            PrivateKey key;
            try {
                if (object instanceof PrivateKeyInfo info) {
                    key = converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    key = converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    throw new CertificateLoadException(origin + ": the private key is encrypted"
                            + " (expected an unencrypted key; decrypt it with openssl pkey)");
                } else {
                    continue;
                }
            } catch (IOException e) {
                if (e instanceof CertificateLoadException known) {
                    throw known;
                }
                throw new CertificateLoadException(origin + ": unreadable private key (" + e.getMessage() + ")", e);
            }
            if (found != null) {
                throw new CertificateLoadException(origin + ": more than one private key (expected exactly one)");
            }
            found = key;
        }
        if (found == null) {
            throw new CertificateLoadException(origin + ": no private key found (expected -----BEGIN PRIVATE KEY-----,"
                    + " BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
        }
        return found;
    }

    /** PEM text of {@code certificates}, in order. */
    public static String encodeCertificates(List<X509Certificate> certificates) {
        return write(certificates.toArray());
    }

    /** PEM text of {@code key} in PKCS#8 ({@code BEGIN PRIVATE KEY}). Store it as a secret. */
    public static String encodePrivateKey(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Object> objects(byte[] pem, String origin) throws CertificateLoadException {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            // PEMParser wraps bad base64 or DER in IOException (and some in runtime exceptions).
            throw new CertificateLoadException(origin + ": not valid PEM (" + e.getMessage() + ")", e);
        }
        return objects;
    }

    private static String write(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
