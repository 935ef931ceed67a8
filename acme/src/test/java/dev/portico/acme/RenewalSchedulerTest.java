package dev.portico.acme;

import dev.portico.acme.renewal.OrderLimits;

import dev.portico.acme.renewal.Backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.acme.renewal.Backoff;
import dev.portico.acme.renewal.OrderLimits;
import dev.portico.tls.certificate.CertificateKeyPair;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler against a CA that never answers: a socket that accepts nothing beyond its backlog. */
class RenewalSchedulerTest {
    private ServerSocket hungCa;
    private AcmeOptions options;

    @BeforeEach
    void hungCa() throws Exception {
        hungCa = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        options = AcmeOptions.of("https://127.0.0.1:" + hungCa.getLocalPort() + "/dir", "ops@example.com", true);
    }

    @AfterEach
    void close() throws Exception {
        hungCa.close();
    }

    @Test
    void storedCertificateIsHandedOverBeforeManageReturnsWhileTheCaHangs() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        ManagedCertificate stored = certificate(Set.of("a.example", "b.example"), Duration.ofDays(90));
        new CertificateFiles(storage).store(stored, options.directory(), Instant.now());
        RecordingListener listener = new RecordingListener();
        RenewalScheduler scheduler = new RenewalScheduler(options, storage, new Http01Challenges(), listener,
                RecordingListener.fastTuning());
        try {
            long t0 = System.nanoTime();
            scheduler.manage(Set.of("b.example", "A.Example"));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "manage() never waits for the CA");
            assertEquals(List.of(stored.serial()), listener.all().stream().map(ManagedCertificate::serial).toList(),
                    "the stored certificate is installed synchronously (names compared in lower case)");
            CertificateState state = scheduler.states().get(0);
            assertEquals(Optional.of(stored.serialHex()), state.serial(), "operators see the served serial");
            assertEquals(Optional.of(stored.notAfter()), state.notAfter(), "and its expiry");
            assertEquals(stored.notAfter().minus(Duration.ofDays(30)), state.nextRenewal().orElseThrow(),
                    "a 90-day certificate is renewed with 30 days left");
        } finally {
            long t0 = System.nanoTime();
            scheduler.close();
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(6).toNanos(),
                    "close() does not wait for a hung CA (its background check is interrupted)");
        }
    }

    @Test
    void namesThatCannotBeOrderedOrOverlapAreRefused() throws Exception {
        try (RenewalScheduler scheduler = new RenewalScheduler(options, new InMemoryStorage(), new Http01Challenges(),
                new RecordingListener(), RecordingListener.fastTuning())) {
            assertThrows(IllegalArgumentException.class, () -> scheduler.manage(Set.of("*.example.com")),
                    "HTTP-01 cannot validate a wildcard");
            assertThrows(IllegalArgumentException.class, () -> scheduler.manage(Set.of("192.0.2.1")),
                    "IP addresses belong to the internal CA");
            assertThrows(IllegalArgumentException.class, () -> scheduler.manage(Set.of()), "an empty set is a bug");
            scheduler.manage(Set.of("a.example", "b.example"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> scheduler.manage(Set.of("b.example", "c.example")),
                    "one name, one certificate: overlapping sets would also share a storage directory");
            assertTrue(e.getMessage().contains("overlaps"), "the message says why: " + e.getMessage());
            scheduler.manage(Set.of("b.example", "a.example")); // the same set again is a no-op
            assertEquals(1, scheduler.states().size(), "managing the same set twice keeps one entry");
        }
    }

    @Test
    void aRestartStillCountsTheOrdersTheLastProcessMade() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        // One order per hour: the first process's order (which hangs at the CA) uses it up.
        RenewalScheduler.Tuning onePerHour = new RenewalScheduler.Tuning(java.time.Clock.systemUTC(), new java.util.Random(7),
                new Backoff(List.of(Duration.ofMillis(250)), 0),
                new OrderLimits(1000, Duration.ofHours(1), 1000, Duration.ofDays(7), 1, Duration.ofHours(1)), 2);
        Instant before = Instant.now();
        try (RenewalScheduler first = new RenewalScheduler(options, storage, new Http01Challenges(), new RecordingListener(), onePerHour)) {
            first.manage(Set.of("a.example"));
            RecordingListener.awaitCondition(() -> storedHistory(storage).contains("ORDER "), Duration.ofSeconds(10),
                    "the order is recorded in storage");
        }
        // The same files after the process died: its order thread (still stuck on the hung CA) holds no lock any more.
        InMemoryStorage afterRestart = new InMemoryStorage();
        afterRestart.store(RenewalScheduler.historyKey(options), storage.load(RenewalScheduler.historyKey(options)).orElseThrow(), false);
        try (RenewalScheduler second = new RenewalScheduler(options, afterRestart, new Http01Challenges(), new RecordingListener(), onePerHour)) {
            second.manage(Set.of("a.example"));
            RecordingListener.awaitCondition(() -> second.states().get(0).nextRenewal()
                            .filter(at -> at.isAfter(before.plus(Duration.ofMinutes(59)))).isPresent(), Duration.ofSeconds(10),
                    "the restarted scheduler defers its order until the first one is an hour old");
            Instant next = second.states().get(0).nextRenewal().orElseThrow();
            assertTrue(!next.isAfter(Instant.now().plus(Duration.ofHours(1))), "not later than that: " + next);
        }
    }

    private String storedHistory(InMemoryStorage storage) {
        return storage.load(RenewalScheduler.historyKey(options)).map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)).orElse("");
    }

    private static ManagedCertificate certificate(Set<String> names, Duration lifetime) throws Exception {
        Instant now = Instant.now();
        X509Bundle ca = new CertificateBuilder().subject("CN=Test CA").setIsCertificateAuthority(true).ecp256()
                .notBefore(now.minusSeconds(60)).notAfter(now.plus(lifetime)).buildSelfSigned();
        CertificateBuilder leaf = new CertificateBuilder().subject("CN=leaf").ecp256()
                .notBefore(now.minusSeconds(60)).notAfter(now.minusSeconds(60).plus(lifetime));
        names.forEach(leaf::addSanDnsName);
        X509Bundle issued = leaf.buildIssuedBy(ca);
        return new ManagedCertificate(names, new CertificateKeyPair(
                List.of(issued.getCertificate(), ca.getCertificate()), issued.getKeyPair().getPrivate()));
    }
}
