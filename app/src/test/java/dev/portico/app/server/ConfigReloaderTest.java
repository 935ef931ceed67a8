package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portico.app.config.PorticoConfig;
import dev.portico.app.config.RouteAction;
import dev.portico.tls.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The file watch of {@link ConfigReloader}, on a real directory. */
@Timeout(30)
class ConfigReloaderTest {
    @TempDir
    Path dir;

    @Test
    void aFileWrittenWithoutPauseNextToTheConfigDoesNotHoldBackTheReload() throws Exception {
        Path file = dir.resolve("routes.yaml");
        write(file, "before");
        List<String> applied = new CopyOnWriteArrayList<>();
        AtomicBoolean churning = new AtomicBoolean(true);
        // A log beside the config, written every few milliseconds (as Portico's own log was in ProcessSignalsIT).
        Thread neighbour = new Thread(() -> {
            Path log = dir.resolve("portico.log");
            while (churning.get()) {
                try {
                    Files.writeString(log, "line\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Thread.sleep(10); // the neighbour's pace, not a wait for a condition
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        neighbour.start();
        try (ConfigReloader reloader = ConfigReloader.start(file, config -> applied.add(body(config)))) {
            write(file, "after");
            Await.until(Duration.ofSeconds(5), "the changed config is applied while the neighbour keeps writing",
                    () -> applied.contains("after"));
            assertEquals(List.of("after"), applied, "read once, whole");
        } finally {
            churning.set(false);
            neighbour.join();
        }
    }

    private static String body(PorticoConfig config) {
        return ((RouteAction.Respond) config.routes().get(0).action()).body();
    }

    private static void write(Path file, String body) throws IOException {
        Files.writeString(file, """
                listen: { https: 127.0.0.1:8443, http: off, admin: 127.0.0.1:9090 }
                tls: { default: localhost }
                routes:
                  - host: localhost
                    respond: { status: 200, body: %s }
                """.formatted(body));
    }
}
