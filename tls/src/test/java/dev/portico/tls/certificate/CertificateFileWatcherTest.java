package dev.portico.tls.certificate;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.policy.ServerContextFactory;
import dev.portico.tls.policy.TlsPolicy;
import dev.portico.tls.sni.CertificateStore;
import dev.portico.tls.sni.HostPattern;
import dev.portico.tls.testing.Await;
import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TlsTestClient;
import dev.portico.tls.testing.TlsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Editing certificate files on disk changes what new handshakes see, without a restart. */
@Timeout(60)
class CertificateFileWatcherTest {
    /** Long enough that only WatchService events (not the safety-net poll) can explain a reload. */
    private static final Duration POLL = Duration.ofMinutes(5);
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private final CertificateStore store = new CertificateStore();
    private final ServerContextFactory factory =
            new ServerContextFactory(TlsPolicy.defaults(), Clock.systemUTC(), new SecureRandom());
    private final CertificateKeyPair first = TestCertificates.selfSigned("a.test");
    private Path chain;
    private Path key;
    private TlsTestServer server;
    private CertificateFileWatcher watcher;

    @BeforeEach
    void start() throws Exception {
        chain = Files.writeString(dir.resolve("chain.pem"), TestCertificates.certificatesPem(first.chain()), US_ASCII);
        key = Files.writeString(dir.resolve("key.pem"), TestCertificates.pkcs8Pem(first.key()), US_ASCII);
        CertificateFileSource source = new CertificateFileSource.PemFiles(chain, key);
        watcher = CertificateFileWatcher.start(source,
                pair -> store.install(List.of(HostPattern.parse("a.test")), factory.serve(pair, source.label())), POLL);
        server = TlsTestServer.start(store);
    }

    @AfterEach
    void stop() throws Exception {
        watcher.close();
        server.close();
    }

    @Test
    void theFirstLoadIsServed() throws Exception {
        assertEquals(first.leaf(), leaf(), "the certificate on disk at start is served");
        assertEquals("file:" + chain, store.installed().get(0).source(), "operators see where it came from");
    }

    @Test
    void anInPlaceEditIsServedWithoutRestart() throws Exception {
        CertificateKeyPair second = TestCertificates.selfSigned("a.test");
        Files.writeString(key, TestCertificates.pkcs8Pem(second.key()), US_ASCII);
        Files.writeString(chain, TestCertificates.certificatesPem(second.chain()), US_ASCII);
        Await.until(DEADLINE, "the edit must be reloaded", () -> watcher.reloads() >= 1);
        assertEquals(second.leaf(), leaf(), "new handshakes must see the edited certificate");
    }

    @Test
    void aRenameReplaceIsServedWithoutRestart() throws Exception {
        CertificateKeyPair second = TestCertificates.selfSigned("a.test");
        // As editors and cert-manager do: write elsewhere in the directory, then rename over the original.
        Path newKey = Files.writeString(dir.resolve(".key.pem.tmp"), TestCertificates.pkcs8Pem(second.key()), US_ASCII);
        Path newChain = Files.writeString(dir.resolve(".chain.pem.tmp"), TestCertificates.certificatesPem(second.chain()), US_ASCII);
        Files.move(newKey, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(newChain, chain, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Await.until(DEADLINE, "the renamed files must be reloaded", () -> watcher.reloads() >= 1);
        assertEquals(second.leaf(), leaf(), "new handshakes must see the renamed-in certificate");
    }

    @Test
    void aBrokenFileIsReportedAndThePreviousCertificateKeepsServing() throws Exception {
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nbroken\n", US_ASCII);
        Await.until(DEADLINE, "the broken file must be reported", () -> watcher.lastFailure().isPresent());
        assertTrue(watcher.lastFailure().orElseThrow().startsWith(chain.toString()),
                "the reason names the broken file: " + watcher.lastFailure());
        assertEquals(first.leaf(), leaf(), "the previous certificate keeps serving while the file is broken");

        CertificateKeyPair fixed = TestCertificates.selfSigned("a.test");
        Files.writeString(key, TestCertificates.pkcs8Pem(fixed.key()), US_ASCII);
        Files.writeString(chain, TestCertificates.certificatesPem(fixed.chain()), US_ASCII);
        Await.until(DEADLINE, "the fixed file must be reloaded", () -> watcher.reloads() >= 1);
        assertEquals(fixed.leaf(), leaf(), "new handshakes must see the fixed certificate");
        assertTrue(watcher.lastFailure().isEmpty(), "a successful reload clears the failure");
    }

    @Test
    void brokenFilesAtStartAreRefused() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "nothing here", US_ASCII);
        CertificateLoadException e = assertThrows(CertificateLoadException.class,
                () -> CertificateFileWatcher.start(new CertificateFileSource.PemFiles(garbage, garbage), pair -> { }, POLL),
                "with no previous certificate there is nothing to keep serving: start must fail");
        assertTrue(e.getMessage().startsWith(garbage + ": no certificate found"), e.getMessage());
    }

    private X509Certificate leaf() throws Exception {
        return TlsTestClient.leafCertificate(server.port(), "a.test");
    }
}
