package dev.portico.tls.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.sni.CertificateStore;
import dev.portico.tls.sni.HostPattern;
import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TestCertificates.KeyAlgorithm;
import dev.portico.tls.testing.TlsTestClient;
import dev.portico.tls.testing.TlsTestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The TLS policy as a client sees it: versions, suites and ALPN, with each provider. */
@Timeout(60)
class ProtocolPolicyTest {
    /** The JDK defaults minus TLSv1 and TLSv1.1, so the child JVM's client may really offer them. */
    private static final String LEGACY_SECURITY = "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, "
            + "DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL\n";

    @TempDir
    Path dir;

    private TlsTestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(TlsProvider provider, KeyAlgorithm algorithm) throws Exception {
        ServerContextFactory factory = new ServerContextFactory(TlsPolicy.defaults().withProvider(provider),
                Clock.systemUTC(), new SecureRandom());
        CertificateStore store = new CertificateStore();
        CertificateKeyPair pair = TestCertificates.builder().names("a.test").algorithm(algorithm).selfSigned();
        store.install(List.of(HostPattern.parse("a.test")), factory.serve(pair, "test"));
        server = TlsTestServer.start(store);
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void tls12AndTls13SucceedWithAeadSuites(TlsProvider provider) throws Exception {
        start(provider, KeyAlgorithm.EC_P256);
        for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
            try (SSLSocket socket = TlsTestClient.connect(TlsTestClient.trustAllContext(), server.port(), "a.test", protocol)) {
                assertEquals(protocol, socket.getSession().getProtocol(), protocol + " must be accepted");
                String suite = socket.getSession().getCipherSuite();
                assertTrue(suite.contains("_GCM_") || suite.contains("CHACHA20_POLY1305"), "an AEAD suite: " + suite);
                assertEquals(TlsTestServer.GREETING, TlsTestClient.readGreeting(socket), "application data flows");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void rsaCertificatesWorkWithTls12Too(TlsProvider provider) throws Exception {
        start(provider, KeyAlgorithm.RSA_2048);
        try (SSLSocket socket = TlsTestClient.connect(TlsTestClient.trustAllContext(), server.port(), "a.test", "TLSv1.2")) {
            assertTrue(socket.getSession().getCipherSuite().startsWith("TLS_ECDHE_RSA_WITH_AES_"),
                    "RSA certificates use ECDHE_RSA with AES-GCM: " + socket.getSession().getCipherSuite());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void cbcOnlyClientsAreRefused(TlsProvider provider) throws Exception {
        start(provider, KeyAlgorithm.EC_P256);
        SSLSocket socket = (SSLSocket) TlsTestClient.trustAllContext().getSocketFactory().createSocket("127.0.0.1", server.port());
        try (socket) {
            socket.setSoTimeout(5_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName("a.test")));
            socket.setSSLParameters(parameters);
            assertThrows(IOException.class, socket::startHandshake, "CBC suites are outside the policy");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void alpnSelectsHttp11(TlsProvider provider) throws Exception {
        start(provider, KeyAlgorithm.EC_P256);
        SSLSocket socket = (SSLSocket) TlsTestClient.trustAllContext().getSocketFactory().createSocket("127.0.0.1", server.port());
        try (socket) {
            socket.setSoTimeout(5_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            parameters.setServerNames(List.of(new SNIHostName("a.test")));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            assertEquals("http/1.1", socket.getApplicationProtocol(), "only http/1.1 is offered for now, even to h2 clients");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
    void tls10AndTls11AreRefused(TlsProvider provider) throws Exception {
        start(provider, KeyAlgorithm.EC_P256);
        List<String> lines = runLegacyClient("TLSv1", "TLSv1.1", "TLSv1.2");

        assertEquals(3, lines.size(), "one line per protocol: " + lines);
        assertTrue(lines.get(2).startsWith("TLSv1.2 OK TLSv1.2"),
                "control: the child JVM's client works at all: " + lines.get(2));
        for (String line : lines.subList(0, 2)) {
            assertTrue(line.contains(" FAIL "), "TLS 1.0 and 1.1 must be refused: " + line);
            assertFalse(line.contains("No appropriate protocol"),
                    "the client must really have offered the old protocol, not refused it locally: " + line);
            assertTrue(line.contains("Received fatal alert: protocol_version"),
                    "the server must be the one refusing, with protocol_version (RFC 8446 §4.2.1): " + line);
        }
    }

    private List<String> runLegacyClient(String... protocols) throws Exception {
        Path security = Files.writeString(dir.resolve("legacy.security"), LEGACY_SECURITY, StandardCharsets.US_ASCII);
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Djava.security.properties=" + security,
                "-cp", System.getProperty("java.class.path"),
                LegacyProtocolClient.class.getName(),
                Integer.toString(server.port()), "a.test"));
        command.addAll(List.of(protocols));
        Process child = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child client must finish");
        return out.lines().filter(line -> line.startsWith("TLSv")).toList();
    }
}
