package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 on the front door with the JDK client (ALPN h2 over TLS) against HTTP/1.1 backends: the
 * request is routed and forwarded like an HTTP/1.1 one, many streams share one connection, bodies
 * stream both ways, failures get the same status codes, and HTTP/1.1 clients are still served.
 */
@Timeout(60)
class Http2FrontendTest {
    private static final long BIG = 20L << 20;
    static EchoBackend backend;
    static RecordingBackend silent;
    static ProxyFixture proxy;
    static final AtomicInteger connections = new AtomicInteger();
    static HttpClient h2;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend("h1");
        silent = new RecordingBackend((head, out) -> { }); // reads the request, never answers
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RouteOptions quick = new RouteOptions(1024, Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(30),
                Duration.ofMinutes(1), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());
        var front = TestTls.INSTANCE.frontH2();
        proxy = new ProxyFixture(List.of(
                ProxyFixture.proxy("localhost", backend.port()),
                ProxyFixture.proxy("localhost", "/silent", quick, silent.port()),
                ProxyFixture.proxy("localhost", "/refused", quick, closedPort),
                ProxyFixture.route("localhost", "/respond", new RouteAction.Respond(200, "ok\n", List.of()), RouteOptions.DEFAULTS)),
                ServerLimits.DEFAULTS, List.of(), 2, ch -> {
                    connections.incrementAndGet();
                    return front.apply(ch);
                });
        h2 = HttpClient.newBuilder().sslContext(TestTls.INSTANCE.client).version(HttpClient.Version.HTTP_2).build();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
        silent.close();
    }

    private static URI uri(String path) {
        return URI.create("https://localhost:" + proxy.httpsPort() + path);
    }

    @Test
    void h2RequestReachesHttp11BackendWithAuthorityAsHost() throws Exception {
        HttpResponse<String> response = h2.send(HttpRequest.newBuilder(uri("/headers?x=1")).header("X-Probe", "yes").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, response.version(), "ALPN chose h2");
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body().toLowerCase();
        assertTrue(body.startsWith("get /headers?x=1\n"), "the backend got the method and :path as its request line: " + body);
        assertTrue(body.contains("host: localhost:" + proxy.httpsPort()), ":authority became Host: " + body);
        assertTrue(body.contains("x-probe: yes"), "end-to-end fields pass: " + body);
        assertTrue(body.contains("x-forwarded-proto: https"), "forwarding fields are added: " + body);
        assertFalse(body.contains("x-http2"), "the codec's x-http2-* fields stay inside Portico: " + body);
    }

    @Test
    void fiftyConcurrentStreamsShareOneConnection() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TestTls.INSTANCE.client).version(HttpClient.Version.HTTP_2).build();
        client.send(HttpRequest.newBuilder(uri("/warm")).build(), HttpResponse.BodyHandlers.ofString()); // one connection first
        int before = connections.get();
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(uri("/sha256"))
                    .POST(HttpRequest.BodyPublishers.ofString("body-" + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = futures.get(i).join();
            assertEquals(200, response.statusCode(), "stream " + i + ": " + response.body());
            assertEquals(sha256(("body-" + i).getBytes()) + " " + ("body-" + i).length(), response.body(),
                    "stream " + i + " got the answer to its own body");
            assertEquals(HttpClient.Version.HTTP_2, response.version());
        }
        assertEquals(before, connections.get(), "the 50 requests were streams of the one existing connection");
    }

    @Test
    void twentyMebibytesUpArriveIntact() throws Exception {
        HttpResponse<String> response = h2.send(HttpRequest.newBuilder(uri("/sha256"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(BIG))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(sha256(new PatternStream(BIG).readAllBytes()) + " " + BIG, response.body(),
                "the backend saw exactly the bytes sent over the h2 stream");
    }

    @Test
    void twentyMebibytesDownArriveIntact() throws Exception {
        HttpResponse<InputStream> response = h2.send(HttpRequest.newBuilder(uri("/download?size=" + BIG)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readAllBytes();
        }
        assertEquals(BIG, body.length, "every byte arrived");
        assertEquals(sha256(new PatternStream(BIG).readAllBytes()), sha256(body), "and they are the backend's bytes");
    }

    @Test
    void refusedUpstreamIs502OverH2() throws Exception {
        assertEquals(502, status("/refused"), "no upstream accepted the connection");
    }

    @Test
    void silentUpstreamIs504OverH2() throws Exception {
        assertEquals(504, status("/silent"), "the upstream did not answer within responseHeaderTimeout");
    }

    @Test
    void oversizedBodyIs413OverH2() throws Exception {
        HttpResponse<String> response = h2.send(HttpRequest.newBuilder(uri("/silent"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4096])).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode(), "the route allows 1024 bytes");
    }

    @Test
    void localRespondRouteAnswersOverH2() throws Exception {
        HttpResponse<String> response = h2.send(HttpRequest.newBuilder(uri("/respond"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("ok\n", response.body(), "the respond route's body");
    }

    @Test
    void http11ClientIsStillServed() throws Exception {
        HttpClient h1 = HttpClient.newBuilder().sslContext(TestTls.INSTANCE.client).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = h1.send(HttpRequest.newBuilder(uri("/headers")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version(), "ALPN http/1.1 gets the HTTP/1.1 frontend");
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void clientWithoutAlpnIsServedHttp11() throws Exception {
        try (var socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "localhost")) {
            socket.getOutputStream().write("GET /headers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
            String response = new String(socket.getInputStream().readAllBytes());
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), "no ALPN falls back to HTTP/1.1: " + response);
        }
    }

    private static int status(String path) throws Exception {
        return h2.send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The backend's download pattern as a stream. */
    static final class PatternStream extends InputStream {
        private final long size;
        private long position;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return position < size ? EchoBackend.pattern(position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = EchoBackend.pattern(position++);
            }
            return n;
        }
    }
}
