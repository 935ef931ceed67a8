package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.portico.app.config.ConfigParser;
import dev.portico.app.server.ConfigReloader;
import dev.portico.app.server.Portico;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads never close established connections: 50 WebSockets through Portico keep echoing every
 * message across several config reloads (through the real file watcher), and none is closed.
 */
@Timeout(90)
class ReloadKeepsWebSocketsTest {
    private static final int SOCKETS = 50;
    private static final int RELOADS = 5;

    @TempDir
    Path dir;

    private WebSocketBackend backend;
    private Portico portico;
    private ConfigReloader reloader;

    @AfterEach
    void stop() {
        if (reloader != null) {
            reloader.close();
        }
        if (portico != null) {
            portico.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void fiftyWebSocketsKeepEchoingAcrossReloadsAndNoneIsClosed() throws Exception {
        backend = new WebSocketBackend();
        int https;
        try (ServerSocket free = new ServerSocket(0)) {
            https = free.getLocalPort();
        }
        Path file = dir.resolve("routes.yaml");
        write(file, https, 0);
        portico = Portico.start(new ConfigParser().parse(file), Clock.systemUTC());
        reloader = ConfigReloader.start(file, portico::reload);

        HttpClient http = HttpClient.newBuilder().sslContext(TlsTestClient.trustAllContext())
                .version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<WsClient>> opening = new ArrayList<>();
        for (int i = 0; i < SOCKETS; i++) {
            opening.add(WsClient.open(http, URI.create("wss://localhost:" + https + "/ws")));
        }
        List<WsClient> sockets = new ArrayList<>();
        for (CompletableFuture<WsClient> f : opening) {
            sockets.add(f.get(20, TimeUnit.SECONDS));
        }

        for (int version = 1; version <= RELOADS; version++) {
            write(file, https, version);
            String expected = "version-" + version;
            Await.until(Duration.ofSeconds(10), "reload " + version + " is applied", () -> expected.equals(
                    http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/version")).build(),
                            HttpResponse.BodyHandlers.ofString()).body()));
            for (int i = 0; i < SOCKETS; i++) {
                sockets.get(i).socket.sendText("socket-" + i + "-after-reload-" + version, true).get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < SOCKETS; i++) {
                assertEquals("socket-" + i + "-after-reload-" + version, sockets.get(i).next(),
                        "socket " + i + " echoes across reload " + version);
            }
        }
        for (int i = 0; i < SOCKETS; i++) {
            assertFalse(sockets.get(i).closed.isDone(), "socket " + i + " was never closed by a reload");
        }
    }

    private void write(Path file, int https, int version) throws IOException {
        Path tmp = file.resolveSibling("routes.yaml.tmp");
        Files.writeString(tmp, """
                listen: { https: 127.0.0.1:%d, http: off, admin: off }
                tls: { default: localhost }
                limits: { shutdown_grace: 1s }   # the sockets are still open at teardown: do not wait 30 s
                routes:
                  - host: localhost
                    proxy: http://127.0.0.1:%d
                  - host: localhost
                    path: /version
                    respond: { status: 200, body: version-%d }
                """.formatted(https, backend.port(), version));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
