package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.portico.app.config.ConfigParser;
import dev.portico.tls.testing.Await;
import dev.portico.tls.testing.TlsTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping while requests are in flight: listeners stop accepting at once, every request already
 * accepted completes, then the process stops. The backend holds its answers behind a latch so the
 * requests are provably in flight when the stop begins.
 */
class GracefulShutdownTest {
    private static final int IN_FLIGHT = 10;

    @TempDir
    Path dir;

    private HttpServer backend;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger arrived = new AtomicInteger();
    private Portico portico;

    @AfterEach
    void cleanUp() {
        release.countDown();
        if (portico != null) {
            portico.close();
        }
        if (backend != null) {
            backend.stop(0);
        }
    }

    @Test
    void everyAcceptedRequestCompletesAndNewConnectionsAreRefusedDuringShutdown() throws Exception {
        startGatedBackend();
        int https = ReloadUnderLoadTest.freePort();
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, """
                listen: { https: 127.0.0.1:%d, http: off, admin: off }
                tls: { default: localhost }
                limits: { shutdown_grace: 20s }
                routes:
                  - host: localhost
                    proxy: http://127.0.0.1:%d
                """.formatted(https, backend.getAddress().getPort()));
        portico = Portico.start(new ConfigParser().parse(file), Clock.systemUTC());

        HttpClient client = HttpClient.newBuilder().sslContext(TlsTestClient.trustAllContext()).build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/slow/" + i))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Await.until(Duration.ofSeconds(10), "all requests reached the backend and wait there",
                () -> arrived.get() == IN_FLIGHT);

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(portico::close);
        Await.until(Duration.ofSeconds(5), "the listener stops accepting once the stop begins", () -> refuses(https));
        assertTrue(!stopped.isDone(), "the stop waits for the in-flight requests");
        release.countDown();
        stopped.get(20, TimeUnit.SECONDS);
        portico = null;

        for (int i = 0; i < IN_FLIGHT; i++) {
            HttpResponse<String> r = responses.get(i).get(5, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "request " + i + " accepted before the stop completes normally");
            assertEquals("done /slow/" + i, r.body(), "request " + i + " gets its whole body");
        }
    }

    private void startGatedBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        backend.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        backend.createContext("/", exchange -> {
            arrived.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("done " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
    }

    private static boolean refuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aStartThatCannotBindFailsClearlyAndLeavesNoEventLoopRunning() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path file = dir.resolve("routes.yaml");
            Files.writeString(file, """
                    listen: { https: 127.0.0.1:%d, http: off, admin: off }
                    routes:
                      - host: localhost
                        respond: { status: 200, body: up }
                    """.formatted(taken.getLocalPort()));
            IOException e = assertThrows(IOException.class, () -> Portico.start(new ConfigParser().parse(file), Clock.systemUTC()),
                    "a port in use fails the start");
            assertTrue(e.getMessage().contains("cannot listen on") && e.getMessage().contains(Integer.toString(taken.getLocalPort())),
                    "the error names the address: " + e.getMessage());
        }
        Await.until(Duration.ofSeconds(5), "no portico event loop thread survives a failed start",
                () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive()
                        && (t.getName().startsWith("portico-io") || t.getName().startsWith("portico-accept"))));
    }

    @Test
    void aRefusedConnectIsWhatClientsSeeAfterTheStop() throws Exception {
        int https = ReloadUnderLoadTest.freePort();
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, """
                listen: { https: 127.0.0.1:%d, http: off, admin: off }
                routes:
                  - host: localhost
                    respond: { status: 200, body: up }
                """.formatted(https));
        portico = Portico.start(new ConfigParser().parse(file), Clock.systemUTC());
        portico.close();
        portico = null;
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", https).close(), "nothing listens after the stop");
    }
}
