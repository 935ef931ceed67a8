package dev.portico.tls.internalca;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds and signs the internal CA's certificates with Bouncy Castle (RFC 5280 profile). */
final class CertificateSigner {
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private CertificateSigner() {}

    /** A self-signed CA certificate that may sign leaves only (pathLen 0). */
    static X509Certificate root(String commonName, KeyPair keys, Instant notBefore, Instant notAfter, SecureRandom random) {
        X500Principal subject = new X500Principal("CN=" + commonName + ", O=Portico");
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(random),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build the internal root certificate", e);
        }
    }

    /** A server leaf for DNS names and IP literals, signed by {@code issuer}. */
    static X509Certificate leaf(List<String> names, PublicKey key, X509Certificate issuer, PrivateKey issuerKey,
                                Instant notBefore, Instant notAfter, SecureRandom random) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer.getSubjectX500Principal(),
                    serial(random), Date.from(notBefore), Date.from(notAfter), new X500Principal("CN=" + names.get(0)), key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(names));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
            return sign(builder, issuerKey);
        } catch (CertIOException | NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot build a certificate for " + names, e);
        }
    }

    /** RFC 5280 §4.1.2.2: positive, at most 20 octets; CA/B BR 7.1: at least 64 random bits. */
    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).setBit(126);
    }

    private static GeneralNames subjectAlternativeNames(List<String> names) {
        List<GeneralName> sans = new ArrayList<>();
        for (String name : names) {
            sans.add(isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, ipAddress(name))
                    : new GeneralName(GeneralName.dNSName, name));
        }
        return new GeneralNames(sans.toArray(new GeneralName[0]));
    }

    private static boolean isIpLiteral(String name) {
        String bare = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        return bare.contains(":") || IPV4.matcher(bare).matches();
    }

    private static String ipAddress(String literal) {
        String bare = literal.startsWith("[") ? literal.substring(1, literal.length() - 1) : literal;
        try {
            // A literal is parsed, never resolved: getByName does no lookup for numeric input.
            return InetAddress.getByName(bare).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("names: '" + literal + "' is not an IP address", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot sign a certificate", e);
        }
    }
}
