package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Background renewal against a Pebble issuing 6-second certificates: the scheduler renews at half
 * the lifetime (certificates shorter than 10 days), so renewals happen within seconds.
 */
class AcmeRenewalIT {
    @RegisterExtension
    static final PebbleExtension PEBBLE = new PebbleExtension(6);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void shortLivedCertificateIsRenewedInTheBackgroundAndHandedOver() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        RecordingListener listener = new RecordingListener();
        Set<String> names = Set.of("renew.test");
        try (RenewalScheduler scheduler = scheduler(storage, listener)) {
            scheduler.manage(names);
            ManagedCertificate first = listener.await(c -> true, WAIT, "the first certificate");
            Duration lifetime = Duration.between(first.notBefore(), first.notAfter());
            assertTrue(lifetime.compareTo(Duration.ofSeconds(5)) >= 0 && lifetime.compareTo(Duration.ofSeconds(6)) <= 0,
                    "Pebble issues 6-second certificates here (certificateValidityPeriod; notAfter is inclusive): " + lifetime);
            Instant due = first.notBefore().plus(lifetime.dividedBy(2));
            assertEquals(due, scheduler.states().get(0).nextRenewal().orElseThrow(),
                    "a certificate shorter than 10 days is renewed when half its lifetime remains");

            ManagedCertificate renewed = listener.await(c -> !c.serial().equals(first.serial()), WAIT,
                    "a renewed certificate with a new serial");
            assertTrue(!Instant.now().isBefore(due), "renewal did not start before it was due");
            assertNotEquals(first.pair().key(), renewed.pair().key(), "each certificate gets a fresh key");
            ManagedCertificate stored = new CertificateFiles(storage).load(names).orElseThrow();
            assertTrue(stored.serial().equals(renewed.serial()) || stored.notAfter().isAfter(renewed.notAfter()),
                    "storage holds the renewed certificate (or a later one)");
        }
    }

    @Test
    void failingChallengeKeepsTheCurrentCertificateAndRetriesUntilTheHostAnswers() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        RecordingListener listener = new RecordingListener();
        Set<String> names = Set.of("flaky.test");
        try (RenewalScheduler scheduler = scheduler(storage, listener)) {
            scheduler.manage(names);
            ManagedCertificate first = listener.await(c -> true, WAIT, "the first certificate");
            PEBBLE.failChallenges(true);
            try {
                RecordingListener.awaitCondition(() -> scheduler.states().get(0).lastError().isPresent(), WAIT,
                        "the renewal fails while the responder answers 404");
                CertificateState state = scheduler.states().get(0);
                String error = state.lastError().orElseThrow();
                assertTrue(error.startsWith("CHALLENGE_FAILED urn:ietf:params:acme:error:unauthorized"),
                        "the state names the failure kind and the ACME problem type: " + error);
                assertTrue(error.contains("404"), "the CA's detail (the 404 it saw) reaches the operator: " + error);
                assertTrue(state.nextRenewal().orElseThrow().isAfter(Instant.now().minusSeconds(1)),
                        "a retry is scheduled");
                assertEquals(List.of(first.serial()), listener.all().stream().map(ManagedCertificate::serial).toList(),
                        "a failed renewal never replaces the served certificate");
                assertEquals(first.serial(), new CertificateFiles(storage).load(names).orElseThrow().serial(),
                        "nor the stored one");
                assertEquals(state.serial().orElseThrow(), first.serialHex(), "operators still see the current certificate");
            } finally {
                PEBBLE.failChallenges(false);
            }
            ManagedCertificate renewed = listener.await(c -> !c.serial().equals(first.serial()), WAIT,
                    "once the host answers again the retry obtains a certificate");
            RecordingListener.awaitCondition(() -> scheduler.states().get(0).lastError().isEmpty()
                    || !scheduler.states().get(0).serial().orElse("").equals(first.serialHex()), WAIT,
                    "the error clears after success");
            assertNotEquals(first.serial(), renewed.serial(), "the recovered renewal is a new certificate");
        }
    }

    private static RenewalScheduler scheduler(InMemoryStorage storage, RecordingListener listener) {
        return new RenewalScheduler(PEBBLE.options(), storage, PEBBLE.challenges(), listener, RecordingListener.fastTuning());
    }
}
