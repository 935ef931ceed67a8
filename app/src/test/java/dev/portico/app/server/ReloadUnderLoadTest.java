package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.ConfigParser;
import dev.portico.tls.testing.Await;
import dev.portico.tls.testing.TlsTestClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload through the real file watcher while clients keep sending requests, on kept-alive
 * connections and on a new connection per request: no request may fail, and the next request on an
 * old connection must already use the new routes.
 */
class ReloadUnderLoadTest {
    private static final int RELOADS = 20;

    @TempDir
    Path dir;

    private Portico portico;
    private ConfigReloader reloader;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final Set<String> bodiesSeen = ConcurrentHashMap.newKeySet();

    @AfterEach
    void stop() {
        running.set(false);
        if (reloader != null) {
            reloader.close();
        }
        if (portico != null) {
            portico.close();
        }
    }

    @Test
    void twentyReloadsUnderLoadFailNoRequestAndKeptAliveConnectionsSeeTheNewRoutes() throws Exception {
        int https = freePort();
        Path file = dir.resolve("routes.yaml");
        write(file, https, "version-0");
        portico = Portico.start(new ConfigParser().parse(file), Clock.systemUTC());
        reloader = ConfigReloader.start(file, portico::reload);

        ExecutorService clients = Executors.newFixedThreadPool(5);
        List<Future<?>> load = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            load.add(clients.submit(() -> keepAliveClient(https)));
        }
        load.add(clients.submit(() -> newConnectionPerRequestClient(https)));

        for (int version = 1; version <= RELOADS; version++) {
            String body = "version-" + version;
            int answeredBefore = answered.get();
            write(file, https, body);
            Await.until(Duration.ofSeconds(10), "reload " + version + " is served on the kept-alive connections",
                    () -> bodiesSeen.contains(body) && answered.get() > answeredBefore + 20);
        }
        running.set(false);
        for (Future<?> f : load) {
            f.get();
        }
        clients.shutdown();

        assertEquals(null, firstFailure.get(), "no request fails during reloads");
        assertTrue(answered.get() > RELOADS * 20, "the load really ran: " + answered.get() + " answers");
        for (int version = 1; version <= RELOADS; version++) {
            assertTrue(bodiesSeen.contains("version-" + version), "every reloaded config was served: version-" + version);
        }
    }

    @Test
    void anInvalidFileIsRejectedAndTheRunningConfigKeepsServing() throws Exception {
        int https = freePort();
        Path file = dir.resolve("routes.yaml");
        write(file, https, "still-serving");
        portico = Portico.start(new ConfigParser().parse(file), Clock.systemUTC());
        reloader = ConfigReloader.start(file, portico::reload);
        Files.writeString(file, "routes:\n  - host: localhost\n    prxy: http://127.0.0.1:1\n");

        assertFalse(reloader.reloadNow("test"), "an invalid file is not applied");
        HttpResponse<String> response = client().send(get(https), HttpResponse.BodyHandlers.ofString());
        assertEquals("still-serving", response.body(), "the running config keeps serving after a rejected reload");
    }

    private void keepAliveClient(int https) {
        HttpClient client = client();
        while (running.get()) {
            try {
                HttpResponse<String> r = client.send(get(https), HttpResponse.BodyHandlers.ofString());
                record(r.statusCode(), r.body());
            } catch (Exception e) {
                fail("keep-alive request: " + e);
            }
        }
    }

    private void newConnectionPerRequestClient(int https) {
        while (running.get()) {
            try {
                HttpClient fresh = client(); // a new client has no pooled connection: a new TCP+TLS connection
                HttpResponse<String> r = fresh.send(get(https), HttpResponse.BodyHandlers.ofString());
                record(r.statusCode(), r.body());
            } catch (Exception e) {
                fail("new-connection request: " + e);
            }
        }
    }

    private void record(int status, String body) {
        if (status != 200) {
            fail("status " + status + " body " + body);
            return;
        }
        bodiesSeen.add(body);
        answered.incrementAndGet();
    }

    private void fail(String what) {
        firstFailure.compareAndSet(null, what);
    }

    private static void write(Path file, int https, String body) throws IOException {
        Path tmp = file.resolveSibling("routes.yaml.tmp");
        Files.writeString(tmp, """
                listen: { https: 127.0.0.1:%d, http: off, admin: off }
                tls: { default: localhost }
                routes:
                  - host: localhost
                    respond: { status: 200, body: "%s" }
                """.formatted(https, body));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().sslContext(TlsTestClient.trustAllContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest get(int https) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/")).timeout(Duration.ofSeconds(10)).build();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
