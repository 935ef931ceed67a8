package dev.portico.tls.sni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.policy.ServerContextFactory;
import dev.portico.tls.policy.TlsPolicy;
import dev.portico.tls.policy.TlsProvider;
import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TlsTestClient;
import dev.portico.tls.testing.TlsTestServer;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SNI selection over real loopback TLS connections, with each provider. */
@Timeout(60)
class SniSelectionTest {
    private static final CertificateKeyPair A = TestCertificates.selfSigned("a.test");
    private static final CertificateKeyPair B = TestCertificates.selfSigned("b.test");
    private static final CertificateKeyPair WILDCARD_A = TestCertificates.selfSigned("*.a.test");

    private final CertificateStore store = new CertificateStore();
    private TlsTestServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void start(TlsProvider provider) throws Exception {
        ServerContextFactory factory = new ServerContextFactory(TlsPolicy.defaults().withProvider(provider),
                Clock.systemUTC(), new SecureRandom());
        store.install(List.of(HostPattern.parse("a.test")), factory.serve(A, "test"));
        store.install(List.of(HostPattern.parse("b.test")), factory.serve(B, "test"));
        store.install(List.of(HostPattern.parse("*.a.test")), factory.serve(WILDCARD_A, "test"));
        server = TlsTestServer.start(store);
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void eachNameGetsItsOwnCertificate(TlsProvider provider) throws Exception {
        start(provider);
        assertEquals(A.leaf(), leafFor("a.test"), "SNI a.test must be served certificate A");
        assertEquals(B.leaf(), leafFor("b.test"), "SNI b.test must be served certificate B");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void wildcardCoversExactlyOneLabel(TlsProvider provider) throws Exception {
        start(provider);
        assertEquals(WILDCARD_A.leaf(), leafFor("x.a.test"), "x.a.test is covered by *.a.test");
        store.setDefault(Optional.of(HostPattern.parse("b.test")));
        assertEquals(B.leaf(), leafFor("y.x.a.test"),
                "y.x.a.test is two labels below a.test, so *.a.test must not cover it (the default answers)");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void namesCompareCaseInsensitively(TlsProvider provider) throws Exception {
        start(provider);
        assertEquals(A.leaf(), leafFor("A.TEST"), "DNS names are case-insensitive (RFC 4343)");
        assertEquals(WILDCARD_A.leaf(), leafFor("X.A.Test"), "wildcard matching is case-insensitive too");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void unknownNameAndMissingSniGetTheDefaultWhenOneIsSet(TlsProvider provider) throws Exception {
        start(provider);
        store.setDefault(Optional.of(HostPattern.parse("b.test")));
        assertEquals(B.leaf(), leafFor("unknown.test"), "an unknown name is answered with the default");
        assertEquals(B.leaf(), leafFor(null), "a client without SNI (IP connect) is answered with the default");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void unknownNameWithoutDefaultGetsUnrecognizedNameAlertWithTls13(TlsProvider provider) throws Exception {
        start(provider);
        assertUnrecognizedName("unknown.test", "TLSv1.3");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void unknownNameWithoutDefaultGetsUnrecognizedNameAlertWithTls12(TlsProvider provider) throws Exception {
        start(provider);
        assertUnrecognizedName("unknown.test", "TLSv1.2");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void missingSniWithoutDefaultGetsUnrecognizedNameAlert(TlsProvider provider) throws Exception {
        start(provider);
        assertUnrecognizedName(null, "TLSv1.3");
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void aDefaultNameThatIsNotInstalledRefusesUnknownNames(TlsProvider provider) throws Exception {
        start(provider);
        store.setDefault(Optional.of(HostPattern.parse("nothing-installed.test")));
        assertUnrecognizedName("unknown.test", "TLSv1.3");
        assertEquals(A.leaf(), leafFor("a.test"), "known names keep working while the default is unusable");
    }

    private X509Certificate leafFor(String sni) throws Exception {
        return TlsTestClient.leafCertificate(server.port(), sni);
    }

    private void assertUnrecognizedName(String sni, String protocol) {
        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> {
            try (SSLSocket socket = TlsTestClient.connect(TlsTestClient.trustAllContext(), server.port(), sni, protocol)) {
                TlsTestClient.readGreeting(socket);
            }
        }, "a name nobody serves must fail the handshake, not fall through to some certificate");
        assertTrue(String.valueOf(refused.getMessage()).contains("unrecognized_name"),
                "the client must see the fatal unrecognized_name alert (RFC 6066 §3), got: " + refused);
    }
}
