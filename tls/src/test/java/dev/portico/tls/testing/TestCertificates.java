package dev.portico.tls.testing;

import dev.portico.tls.certificate.CertificateKeyPair;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made on the fly for tests (Bouncy Castle only, so modules using the tls test-jar need
 * no extra dependency). Nothing expiring is ever checked in.
 *
 * <pre>{@code
 * CertificateKeyPair a = TestCertificates.selfSigned("a.test");
 * TestCertificates.Authority ca = TestCertificates.authority("Test CA");
 * CertificateKeyPair b = ca.issue("b.test", "*.b.test");            // chain = leaf, ca
 * CertificateKeyPair old = TestCertificates.builder().names("c.test")
 *         .validity(Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)))
 *         .selfSigned();                                            // expired
 * }</pre>
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {}

    /** An ECDSA P-256 self-signed leaf for {@code names} (DNS names or IP literals), valid now. */
    public static CertificateKeyPair selfSigned(String... names) {
        return builder().names(names).selfSigned();
    }

    /** A new ECDSA P-256 root CA named {@code CN=commonName}, valid now. */
    public static Authority authority(String commonName) {
        KeyPair keys = KeyAlgorithm.EC_P256.generate();
        Instant now = Instant.now();
        X509Certificate certificate = sign(new X500Principal("CN=" + commonName), keys.getPublic(),
                new X500Principal("CN=" + commonName), keys.getPrivate(), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(30)), List.of(), true);
        return new Authority(certificate, keys);
    }

    /** Options for one certificate. */
    public static Builder builder() {
        return new Builder();
    }

    /** PEM of the certificates, in order ({@code -----BEGIN CERTIFICATE-----} blocks). */
    public static String certificatesPem(List<X509Certificate> certificates) {
        return pem(certificates.toArray());
    }

    /** PEM of the key in PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}). */
    public static String pkcs8Pem(PrivateKey key) {
        try {
            return pem(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * PEM of the key in the traditional OpenSSL form: PKCS#1 {@code BEGIN RSA PRIVATE KEY} for RSA,
     * SEC1 {@code BEGIN EC PRIVATE KEY} for EC.
     */
    public static String traditionalPem(PrivateKey key) {
        if (!(key instanceof ECPrivateKey)) {
            return pem(key);
        }
        // SEC1 with the curve inside, as openssl writes it; the JDK's PKCS#8 inner structure lacks it.
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        int orderBits = ((ECPrivateKey) key).getParams().getOrder().bitLength();
        try {
            org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            return pem(new PemObject("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(orderBits, inner.getKey(),
                    info.getPrivateKeyAlgorithm().getParameters()).getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PEM of the key encrypted with {@code password} ({@code BEGIN ENCRYPTED PRIVATE KEY}). */
    public static String encryptedPkcs8Pem(PrivateKey key, char[] password) {
        try {
            return pem(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setProvider(new BouncyCastleProvider()).setPassword(password).build()).generate());
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object... objects) {
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

    private static X509Certificate sign(X500Principal subject, PublicKey subjectKey, X500Principal issuer,
                                PrivateKey issuerKey, Instant notBefore, Instant notAfter, List<String> names,
                                boolean ca) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter),
                    subject, subjectKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            }
            if (!names.isEmpty()) {
                List<GeneralName> sans = new ArrayList<>();
                for (String name : names) {
                    sans.add(isIpLiteral(name)
                            ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress())
                            : new GeneralName(GeneralName.dNSName, name));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate for " + names, e);
        }
    }

    private static boolean isIpLiteral(String name) {
        return name.contains(":") || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** Key types tests use. */
    public enum KeyAlgorithm {
        EC_P256, RSA_2048;

        /** A fresh key pair. */
        public KeyPair generate() {
            try {
                if (this == EC_P256) {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    return generator.generateKeyPair();
                }
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, RANDOM);
                return generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A test certificate authority; {@link #issue} makes leaves whose chain is leaf then this root. */
    public record Authority(X509Certificate certificate, KeyPair keyPair) {
        /** An ECDSA P-256 leaf for {@code names}, valid now, chain = leaf + this root. */
        public CertificateKeyPair issue(String... names) {
            return builder().names(names).issuedBy(this);
        }
    }

    /** One certificate's options; defaults: ECDSA P-256, valid from an hour ago for a day, CN = first name. */
    public static final class Builder {
        private List<String> names = List.of("localhost");
        private KeyAlgorithm algorithm = KeyAlgorithm.EC_P256;
        private KeyPair keyPair;
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(1));

        private Builder() {}

        /** The subject alternative names (DNS names, wildcards or IP literals); the first is the CN. */
        public Builder names(String... newNames) {
            if (newNames.length == 0) {
                throw new IllegalArgumentException("names: empty");
            }
            names = List.of(newNames);
            return this;
        }

        /** The key type (ignored when {@link #keyPair} is set). */
        public Builder algorithm(KeyAlgorithm newAlgorithm) {
            algorithm = newAlgorithm;
            return this;
        }

        /** Use this key pair instead of a fresh one (e.g. to renew with the same key). */
        public Builder keyPair(KeyPair newKeyPair) {
            keyPair = newKeyPair;
            return this;
        }

        /** The validity period. */
        public Builder validity(Instant newNotBefore, Instant newNotAfter) {
            notBefore = newNotBefore;
            notAfter = newNotAfter;
            return this;
        }

        /** A self-signed leaf. */
        public CertificateKeyPair selfSigned() {
            KeyPair keys = keys();
            X500Principal subject = subject();
            return new CertificateKeyPair(List.of(sign(subject, keys.getPublic(), subject, keys.getPrivate(),
                    notBefore, notAfter, names, false)), keys.getPrivate());
        }

        /** A leaf signed by {@code authority}; chain = leaf, authority. */
        public CertificateKeyPair issuedBy(Authority authority) {
            KeyPair keys = keys();
            X509Certificate leaf = sign(subject(), keys.getPublic(),
                    authority.certificate().getSubjectX500Principal(), authority.keyPair().getPrivate(),
                    notBefore, notAfter, names, false);
            return new CertificateKeyPair(List.of(leaf, authority.certificate()), keys.getPrivate());
        }

        private KeyPair keys() {
            return keyPair != null ? keyPair : algorithm.generate();
        }

        private X500Principal subject() {
            return new X500Principal("CN=" + names.get(0));
        }
    }
}
