package dev.portico.tls.internalca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.certificate.CertificateLoadException;
import dev.portico.tls.policy.ServerContextFactory;
import dev.portico.tls.policy.TlsPolicy;
import dev.portico.tls.sni.CertificateStore;
import dev.portico.tls.sni.HostPattern;
import dev.portico.tls.storage.DirectoryStorage;
import dev.portico.tls.testing.TlsTestClient;
import dev.portico.tls.testing.TlsTestServer;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalCaTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void leafForLocalhostAndLoopbackVerifiesAgainstTheStoredRoot() throws Exception {
        DirectoryStorage storage = new DirectoryStorage(dir);
        InternalCa ca = InternalCa.loadOrCreate(storage, clock, new SecureRandom());
        CertificateKeyPair leaf = ca.issue(List.of("localhost", "127.0.0.1", "::1"), Duration.ofDays(7));

        X509Certificate storedRoot = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(storage.pathOf(InternalCa.ROOT_CERTIFICATE)));
        validate(leaf, storedRoot, NOW);

        assertEquals(List.of(leaf.leaf(), storedRoot), leaf.chain(), "chain = leaf, root");
        assertTrue(leaf.leaf().getSubjectAlternativeNames().contains(List.of(2, "localhost")), "SAN dNSName localhost");
        assertTrue(leaf.leaf().getSubjectAlternativeNames().contains(List.of(7, "127.0.0.1")),
                "SAN iPAddress 127.0.0.1 (an IP in a dNSName would not verify in clients)");
        assertTrue(leaf.leaf().getSubjectAlternativeNames().contains(List.of(7, "0:0:0:0:0:0:0:1")), "SAN iPAddress ::1");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), leaf.leaf().getExtendedKeyUsage(), "a leaf is for TLS servers only");
        assertEquals(-1, leaf.leaf().getBasicConstraints(), "a leaf must not be a CA");
        assertEquals(NOW.plus(Duration.ofDays(7)), leaf.leaf().getNotAfter().toInstant(), "the lifetime is the one asked for");
        assertEquals("EC", leaf.key().getAlgorithm(), "leaves use ECDSA keys");
    }

    @Test
    void theRootIsAnEcdsaCaWithTheDocumentedName() throws Exception {
        InternalCa ca = InternalCa.loadOrCreate(new DirectoryStorage(dir), clock, new SecureRandom());
        X509Certificate root = ca.root();
        assertTrue(root.getSubjectX500Principal().getName().contains("CN=Portico Internal Root CA"), root.getSubjectX500Principal().getName());
        assertEquals(0, root.getBasicConstraints(), "the root is a CA that may only sign leaves (pathLen 0)");
        assertEquals("EC", root.getPublicKey().getAlgorithm(), "ECDSA P-256 root");
        assertEquals(NOW.plus(InternalCa.ROOT_LIFETIME), root.getNotAfter().toInstant(), "about ten years");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                new DirectoryStorage(dir).pathOf(InternalCa.ROOT_KEY))), "the root key is a secret file");
    }

    @Test
    void aSecondCaOnTheSameStorageReusesTheRoot() throws Exception {
        InternalCa first = InternalCa.loadOrCreate(new DirectoryStorage(dir), clock, new SecureRandom());
        InternalCa second = InternalCa.loadOrCreate(new DirectoryStorage(dir), clock, new SecureRandom());
        assertEquals(first.root(), second.root(), "a restart must keep the root users already trust");
        validate(second.issue(List.of("app.internal"), Duration.ofDays(7)), first.root(), NOW);
    }

    @Test
    void aStoredRootWithoutItsKeyIsReportedNotReplaced() throws Exception {
        DirectoryStorage storage = new DirectoryStorage(dir);
        InternalCa.loadOrCreate(storage, clock, new SecureRandom());
        storage.delete(InternalCa.ROOT_KEY);
        CertificateLoadException e = assertThrows(CertificateLoadException.class,
                () -> InternalCa.loadOrCreate(storage, clock, new SecureRandom()),
                "silently making a new root would break every client that trusts the old one");
        assertTrue(e.getMessage().contains(InternalCa.ROOT_KEY + " is missing"), e.getMessage());
    }

    @Test
    void serialNumbersAreRandomAndPositive() throws Exception {
        InternalCa ca = InternalCa.loadOrCreate(new DirectoryStorage(dir), clock, new SecureRandom());
        X509Certificate one = ca.issue(List.of("a.internal"), Duration.ofDays(7)).leaf();
        X509Certificate two = ca.issue(List.of("a.internal"), Duration.ofDays(7)).leaf();
        assertNotEquals(one.getSerialNumber(), two.getSerialNumber(), "two leaves must not share a serial");
        assertTrue(one.getSerialNumber().signum() > 0 && one.getSerialNumber().bitLength() > 64,
                "serials are positive with at least 64 random bits");
    }

    @Test
    void renewalIsDueWhenAThirdOfTheLifetimeRemains() throws Exception {
        InternalCa ca = InternalCa.loadOrCreate(new DirectoryStorage(dir), clock, new SecureRandom());
        X509Certificate leaf = ca.issue(List.of("localhost"), Duration.ofDays(3).minus(Duration.ofMinutes(1))).leaf();
        // notBefore = NOW - 1m, notAfter = NOW + 3d - 1m: lifetime 3d, renewal at notAfter - 1d.
        Instant renewal = NOW.plus(Duration.ofDays(2)).minus(Duration.ofMinutes(1));
        assertEquals(renewal, InternalCa.renewalTime(leaf), "renewal is at two thirds of the lifetime");
        assertFalse(InternalCa.needsRenewal(leaf, renewal.minusSeconds(1)), "one second before: not yet");
        assertTrue(InternalCa.needsRenewal(leaf, renewal), "at the boundary: renew");
        assertTrue(InternalCa.needsRenewal(leaf, leaf.getNotAfter().toInstant()), "at expiry: renew");
    }

    @Test
    void anExpiredLeafNoLongerVerifies() throws Exception {
        InternalCa ca = InternalCa.loadOrCreate(new DirectoryStorage(dir), clock, new SecureRandom());
        CertificateKeyPair leaf = ca.issue(List.of("localhost"), Duration.ofDays(7));
        assertThrows(CertPathValidatorException.class, () -> validate(leaf, ca.root(), NOW.plus(Duration.ofDays(8))),
                "the validation in this test must be able to fail: a week-old leaf is expired after 7 days");
    }

    @Test
    void aClientTrustingOnlyTheRootConnectsToLocalhostWithHostnameVerification() throws Exception {
        InternalCa ca = InternalCa.loadOrCreate(new DirectoryStorage(dir), Clock.systemUTC(), new SecureRandom());
        CertificateStore store = new CertificateStore();
        ServerContextFactory factory = new ServerContextFactory(TlsPolicy.defaults(), Clock.systemUTC(), new SecureRandom());
        store.install(List.of(HostPattern.parse("localhost")),
                factory.serve(ca.issue(List.of("localhost", "127.0.0.1"), InternalCa.DEFAULT_LEAF_LIFETIME), "internal"));
        // The JDK (like some other clients) sends no SNI for a name without a dot such as "localhost",
        // so on a laptop the localhost certificate must also be the default.
        store.setDefault(Optional.of(HostPattern.parse("localhost")));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("portico-root", ca.root());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trustManagers.getTrustManagers(), new SecureRandom());

        try (TlsTestServer server = TlsTestServer.start(store);
             SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", server.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // what browsers and curl check
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            assertEquals(TlsTestServer.GREETING, TlsTestClient.readGreeting(socket),
                    "a user who trusted the root once gets a verified connection to https://localhost");
        }
    }

    private static void validate(CertificateKeyPair leaf, X509Certificate root, Instant at) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf.leaf())), parameters);
    }
}
