package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.Listen;
import dev.portico.app.config.PorticoConfig;
import dev.portico.tls.internalca.InternalCa;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole process on loopback: config parsed from YAML, certificates from the internal CA, a real
 * backend behind the proxy, the admin endpoints, and a restart on the same storage.
 */
class PorticoServeTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    Path dir;

    private HttpServer backend;
    private final AtomicReference<String> backendSawHost = new AtomicReference<>();
    private Portico portico;

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(ANY_LOOPBACK_PORT, 0);
        backend.createContext("/", exchange -> {
            backendSawHost.set(exchange.getRequestHeaders().getFirst("Host"));
            byte[] body = ("backend saw " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
    }

    @AfterEach
    void stop() {
        if (portico != null) {
            portico.close();
        }
        backend.stop(0);
    }

    @Test
    void proxiesHttpsToTheBackendWithAnInternalCertificateThatVerifiesAgainstTheStoredRoot() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());

        HttpClient client = clientTrusting(storedRoot());
        HttpResponse<String> response = client.send(request("https://localhost:" + httpsPort() + "/hello?x=1"),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), "a routed host is proxied to its backend");
        assertEquals("backend saw /hello?x=1", response.body(), "the backend's body reaches the client unchanged");
        assertEquals("localhost:" + httpsPort(), backendSawHost.get(), "Host is passed through unchanged");
        X509Certificate leaf = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
        assertEquals(storedRoot().getSubjectX500Principal(), leaf.getIssuerX500Principal(),
                "the localhost certificate is issued by the internal root kept in storage");
    }

    @Test
    void anUpstreamNamedByHostNameIsResolvedWithoutBlockingAndProxied() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());

        HttpResponse<String> response = clientTrusting(storedRoot())
                .send(request("https://localhost:" + httpsPort() + "/named/x"), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), "an upstream given as http://localhost:PORT is resolved and reached");
        assertEquals("backend saw /named/x", response.body(), "the backend answered through the named upstream");
    }

    @Test
    void port80RedirectsNameThePublicHttpsPortWhenItDiffersFromTheListeners() throws Exception {
        PorticoConfig base = config();
        Listen behindService = new Listen(ANY_LOOPBACK_PORT, Optional.of(ANY_LOOPBACK_PORT), Optional.empty(),
                java.util.OptionalInt.of(443));
        portico = Portico.start(new PorticoConfig(behindService, base.storage(), base.tls(), base.acme(),
                base.trustedProxies(), base.limits(), base.routes()), Clock.systemUTC());

        HttpResponse<Void> response = HttpClient.newHttpClient().send(
                request("http://localhost:" + portico.httpAddress().orElseThrow().getPort() + "/app?q=1"),
                HttpResponse.BodyHandlers.discarding());

        assertEquals(308, response.statusCode(), "plain HTTP to a routed host is redirected");
        assertEquals("https://localhost/app?q=1", response.headers().firstValue("location").orElse(""),
                "the redirect names the public port (443: no port), not the listener's " + httpsPort());
    }

    @Test
    void fixedResponseRouteAnswersWithoutABackend() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());

        HttpResponse<String> response = clientTrusting(storedRoot())
                .send(request("https://localhost:" + httpsPort() + "/status"), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), "the respond route answers");
        assertEquals("Portico is running\n", response.body(), "the configured body, byte for byte");
        assertEquals(null, backendSawHost.get(), "the backend is never contacted for a respond route");
    }

    @Test
    void oneKeepAliveConnectionServesRespondAndProxyRoutesInTurn() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());

        try (SSLSocket socket = (SSLSocket) sslContextTrusting(storedRoot()).getSocketFactory()
                .createSocket("127.0.0.1", httpsPort())) {
            socket.setSoTimeout(10_000);
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(java.util.List.of(new SNIHostName("localhost")));
            socket.setSSLParameters(params);
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            for (String path : java.util.List.of("/status", "/status", "/app", "/status", "/app")) {
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String expected = path.equals("/status") ? "Portico is running\n" : "backend saw /app";
                assertEquals(expected, readBody(in), "request " + path + " on the same kept-alive connection is answered");
            }
        }
    }

    @Test
    void unknownSniWithoutADefaultGetsAHandshakeFailure() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());

        SSLContext tls = sslContextTrusting(storedRoot());
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", httpsPort())) {
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(java.util.List.of(new SNIHostName("unknown.test")));
            socket.setSSLParameters(params);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, socket::startHandshake,
                    "a name that is not routed and no tls.default: the handshake must fail");
            assertTrue(String.valueOf(e.getMessage()).contains("unrecognized_name"),
                    "the alert tells the client why: " + e.getMessage());
        }
    }

    @Test
    void adminEndpointsReportHealthReadinessAndCertificates() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());
        HttpClient client = HttpClient.newHttpClient();
        String admin = "http://127.0.0.1:" + portico.adminAddress().orElseThrow().getPort();

        assertEquals(200, client.send(request(admin + "/healthz"), HttpResponse.BodyHandlers.ofString()).statusCode(),
                "alive");
        assertEquals(200, client.send(request(admin + "/readyz"), HttpResponse.BodyHandlers.ofString()).statusCode(),
                "ready once listeners are bound");
        String certificates = client.send(request(admin + "/certificates"), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(certificates.contains("\"name\":\"localhost\"") && certificates.contains("\"source\":\"internal\""),
                "the certificate listing names localhost and its source: " + certificates);
    }

    @Test
    void restartOnTheSameStorageKeepsTheInternalRoot() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());
        byte[] firstRoot = storedRoot().getEncoded();
        portico.close();
        portico = null;

        portico = Portico.start(config(), Clock.systemUTC());
        byte[] secondRoot = storedRoot().getEncoded();
        HttpResponse<String> response = clientTrusting(storedRoot())
                .send(request("https://localhost:" + httpsPort() + "/status"), HttpResponse.BodyHandlers.ofString());

        assertArrayEquals(firstRoot, secondRoot, "users trust the root once: a restart must not replace it");
        assertEquals(200, response.statusCode(), "the new leaf still verifies against the kept root");
    }

    private PorticoConfig config() throws Exception {
        String yaml = """
                storage: ./data
                routes:
                  - host: localhost
                    path: /status
                    respond: { status: 200, body: "Portico is running\\n" }
                  - host: localhost
                    proxy: http://127.0.0.1:%d
                  - host: localhost
                    path: /named
                    proxy: http://localhost:%d
                """.formatted(backend.getAddress().getPort(), backend.getAddress().getPort());
        PorticoConfig parsed = new ConfigParser().parse(yaml, "routes.yaml", dir);
        Listen ephemeral = new Listen(ANY_LOOPBACK_PORT, Optional.of(ANY_LOOPBACK_PORT), Optional.of(ANY_LOOPBACK_PORT));
        return new PorticoConfig(ephemeral, parsed.storage(), parsed.tls(), parsed.acme(), parsed.trustedProxies(),
                parsed.limits(), parsed.routes());
    }

    /** Reads one HTTP/1.1 response with a Content-Length from {@code in}; returns its body. */
    private static String readBody(java.io.DataInputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        int length = -1;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        if (length < 0) {
            throw new AssertionError("the response has a Content-Length: " + head);
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return new String(body, StandardCharsets.UTF_8);
    }

    private int httpsPort() {
        return portico.httpsAddress().getPort();
    }

    private X509Certificate storedRoot() throws Exception {
        byte[] pem = Files.readAllBytes(dir.resolve("data").resolve(InternalCa.ROOT_CERTIFICATE));
        try (InputStream in = new ByteArrayInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static SSLContext sslContextTrusting(X509Certificate root) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static HttpClient clientTrusting(X509Certificate root) throws Exception {
        return HttpClient.newBuilder().sslContext(sslContextTrusting(root)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest request(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build();
    }
}
