package dev.portico.app.acme;

import static dev.portico.app.acme.AcmeEndToEnd.servedChain;
import static dev.portico.app.acme.AcmeEndToEnd.verifies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.acme.PebbleExtension;
import dev.portico.tls.certificate.Pem;
import dev.portico.tls.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} during issuance: Portico runs as a real process (the shaded jar this build
 * produced) and is killed the moment Pebble has seen a given step of the order (account created,
 * order created, order finalized). After each kill the storage must be consistent (every stored
 * key matches its chain, one account), and a final restart must complete issuance.
 */
class CrashDuringIssuanceIT {
    private static final int HTTP_PORT = AcmeEndToEnd.freePort();
    private static final String HOST = "crash.portico-e2e.net";
    private static final Path JAR = Path.of("target", "portico.jar");

    @RegisterExtension
    static final PebbleExtension PEBBLE = PebbleExtension.validatingOn(HTTP_PORT);

    @TempDir
    Path dir;

    private Process portico;

    @AfterEach
    void kill() {
        if (portico != null) {
            portico.destroyForcibly();
        }
    }

    @Test
    void killedAtAnyStepOfIssuanceTheStorageStaysConsistentAndARestartCompletesIt() throws Exception {
        int https = AcmeEndToEnd.freePort();
        Path config = dir.resolve("routes.yaml");
        Files.writeString(config, """
                listen: { https: 127.0.0.1:%d, http: 127.0.0.1:%d, admin: off }
                """.formatted(https, HTTP_PORT) + AcmeEndToEnd.yaml(PEBBLE, List.of(HOST)));

        for (String step : List.of("/sign-me-up", "/order-plz", "/finalize-order/")) {
            long before = PEBBLE.requests("POST", step);
            portico = start(config, step);
            Await.until(Duration.ofSeconds(30), "Pebble sees the step " + step + " of a fresh start",
                    () -> PEBBLE.requests("POST", step) > before || !portico.isAlive());
            portico.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no cleanup
            assertStorageConsistent("after kill -9 at " + step);
            if (Files.exists(dir.resolve("data/certificates"))) {
                break; // issuance completed before the kill landed: later steps cannot be hit again
            }
        }

        portico = start(config, "final");
        X509Certificate root = PEBBLE.root();
        Await.until(Duration.ofSeconds(30), "the restarted process completes issuance and serves the certificate",
                () -> servedChain(https, HOST).filter(chain -> verifies(chain, root)).isPresent());
        assertStorageConsistent("after the final restart");
    }

    private Process start(Path config, String label) throws IOException {
        assertTrue(Files.exists(JAR), "the shaded jar is built by the package phase before integration tests: " + JAR.toAbsolutePath());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-jar", JAR.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("portico-" + label.replace('/', '_') + ".log").toFile()))
                .start();
    }

    /** Every stored certificate parses and its key matches; exactly one ACME account key exists. */
    private void assertStorageConsistent(String when) throws IOException {
        Path data = dir.resolve("data");
        try (Stream<Path> files = Files.walk(data)) {
            List<Path> accountKeys = files.filter(p -> p.getFileName().toString().equals("account.key")).toList();
            assertTrue(accountKeys.size() <= 1, when + ": at most one account key: " + accountKeys);
        }
        Path certificates = data.resolve("certificates");
        if (!Files.isDirectory(certificates)) {
            return; // nothing stored yet is consistent too
        }
        try (Stream<Path> dirs = Files.list(certificates)) {
            for (Path certDir : dirs.toList()) {
                byte[] chain = Files.readAllBytes(certDir.resolve("chain.pem"));
                byte[] key = Files.readAllBytes(certDir.resolve("key.pem"));
                // CertificateKeyPair's constructor proves the key belongs to the leaf.
                var pair = Pem.parseKeyPair(chain, certDir + "/chain.pem", key, certDir + "/key.pem");
                assertEquals(HOST, certDir.getFileName().toString(), when + ": stored under the host's name");
                assertTrue(pair.chain().size() >= 2, when + ": the stored chain includes the intermediate");
            }
        }
    }
}
