package dev.portico.app.acme;

import static dev.portico.app.acme.AcmeEndToEnd.config;
import static dev.portico.app.acme.AcmeEndToEnd.servedChain;
import static dev.portico.app.acme.AcmeEndToEnd.verifies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.acme.PebbleExtension;
import dev.portico.app.server.Portico;
import dev.portico.tls.testing.Await;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic HTTPS end to end: Portico, started from empty storage with an {@code acme} section
 * pointing at a real Pebble, obtains certificates over HTTP-01 answered by its OWN port-80 listener
 * (Pebble validates against that port), serves them, and reuses them after a restart.
 */
class AutomaticHttpsIT {
    private static final int HTTP_PORT = AcmeEndToEnd.freePort();
    private static final List<String> HOSTS = List.of("a.portico-e2e.net", "b.portico-e2e.net");

    @RegisterExtension
    static final PebbleExtension PEBBLE = PebbleExtension.validatingOn(HTTP_PORT);

    @TempDir
    Path dir;

    private Portico portico;

    @AfterEach
    void stop() {
        if (portico != null) {
            portico.close();
        }
    }

    @Test
    void obtainsCertificatesForTwoHostsThroughItsOwnPort80AndServesChainsThatVerifyAgainstPebblesRoot() throws Exception {
        portico = Portico.start(config(PEBBLE, dir, HTTP_PORT, HOSTS), Clock.systemUTC());
        int https = portico.httpsAddress().getPort();
        X509Certificate root = PEBBLE.root();

        for (String host : HOSTS) {
            Await.until(Duration.ofSeconds(30), host + " is served a chain that verifies against Pebble's root",
                    () -> servedChain(https, host).filter(chain -> verifies(chain, root)).isPresent());
            X509Certificate leaf = servedChain(https, host).orElseThrow().get(0);
            assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(san -> host.equals(san.get(1))),
                    "the leaf names " + host + ": " + leaf.getSubjectAlternativeNames());
        }
        assertTrue(PEBBLE.requests("GET", "/.well-known/acme-challenge/") == 0,
                "Pebble is the client of the challenge, never the server: its log shows no challenge request to itself");
    }

    @Test
    void restartWithTheSameStorageMakesNoNewAccountOrOrderAndServesTheSameCertificates() throws Exception {
        portico = Portico.start(config(PEBBLE, dir, HTTP_PORT, HOSTS), Clock.systemUTC());
        int https = portico.httpsAddress().getPort();
        X509Certificate root = PEBBLE.root();
        for (String host : HOSTS) {
            Await.until(Duration.ofSeconds(30), host + " issued",
                    () -> servedChain(https, host).filter(chain -> verifies(chain, root)).isPresent());
        }
        BigInteger serialA = servedChain(https, HOSTS.get(0)).orElseThrow().get(0).getSerialNumber();
        portico.close();
        portico = null;
        long accounts = PEBBLE.requests("POST", "/sign-me-up");
        long orders = PEBBLE.requests("POST", "/order-plz");

        portico = Portico.start(config(PEBBLE, dir, HTTP_PORT, HOSTS), Clock.systemUTC());
        int httpsAgain = portico.httpsAddress().getPort();

        assertEquals(serialA, servedChain(httpsAgain, HOSTS.get(0)).orElseThrow().get(0).getSerialNumber(),
                "the stored certificate serves at once after a restart, before any ACME traffic");
        assertEquals(accounts, PEBBLE.requests("POST", "/sign-me-up"), "a restart registers no new account");
        assertEquals(orders, PEBBLE.requests("POST", "/order-plz"), "a restart orders nothing for valid certificates");
    }
}
