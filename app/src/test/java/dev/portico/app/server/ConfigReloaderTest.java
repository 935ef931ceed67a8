package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portico.app.config.PorticoConfig;
import dev.portico.app.config.RouteAction;
import dev.portico.tls.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
        // A log beside the config, written every 10 ms (as Portico's own log was in ProcessSignalsIT).
        Path log = dir.resolve("portico.log");
        ScheduledExecutorService neighbour = Executors.newSingleThreadScheduledExecutor();
        neighbour.scheduleAtFixedRate(() -> {
            try {
                Files.writeString(log, "line\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        try (ConfigReloader reloader = ConfigReloader.start(file, config -> applied.add(body(config)))) {
            write(file, "after");
            Await.until(Duration.ofSeconds(5), "the changed config is applied while the neighbour keeps writing",
                    () -> applied.contains("after"));
            assertEquals(List.of("after"), applied, "read once, whole");
        } finally {
            neighbour.shutdownNow();
            neighbour.awaitTermination(5, TimeUnit.SECONDS);
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
