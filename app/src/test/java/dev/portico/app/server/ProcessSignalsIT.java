package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.testing.Await;
import dev.portico.tls.testing.TlsTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process (the shaded jar the build produced) and the signals systemd and Kubernetes send:
 * SIGHUP reloads the config, SIGTERM drains and exits 0.
 */
class ProcessSignalsIT {
    private static final Path JAR = Path.of("target", "portico.jar");

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    void sighupReloadsTheConfigAndSigtermExitsZero() throws Exception {
        assertTrue(Files.exists(JAR), "the package phase builds the jar before integration tests: " + JAR.toAbsolutePath());
        int https = ReloadUnderLoadTest.freePort();
        int admin = ReloadUnderLoadTest.freePort();
        Path file = dir.resolve("routes.yaml");
        writeConfig(file, https, admin, "before");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-jar", JAR.toString(), "run", "--config", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("portico.log").toFile()).start();
        HttpClient client = HttpClient.newBuilder().sslContext(TlsTestClient.trustAllContext()).build();
        Await.until(Duration.ofSeconds(30), "the process reports ready", () -> status(client, "http://127.0.0.1:" + admin + "/readyz") == 200);
        assertEquals("before", body(client, https), "serves the initial config");

        writeConfig(file, https, admin, "after");
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
        String[] last = new String[1];
        try {
            Await.until(Duration.ofSeconds(10), "SIGHUP (or the file watch) applies the new config",
                    () -> "after".equals(last[0] = body(client, https)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last body: " + last[0] + "; log:\n"
                    + Files.readString(dir.resolve("portico.log")), e);
        }

        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process stops after SIGTERM");
        String log = Files.readString(dir.resolve("portico.log"));
        assertEquals(0, process.exitValue(), "a clean stop exits 0; log:\n" + log);
        assertTrue(log.contains("portico stopped"), "the stop drained and logged: " + log);
    }

    private static void writeConfig(Path file, int https, int admin, String body) throws IOException {
        Files.writeString(file, """
                listen: { https: 127.0.0.1:%d, http: off, admin: 127.0.0.1:%d }
                tls: { default: localhost }
                routes:
                  - host: localhost
                    respond: { status: 200, body: %s }
                """.formatted(https, admin, body));
    }

    private static int status(HttpClient client, String uri) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String body(HttpClient client, int https) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
