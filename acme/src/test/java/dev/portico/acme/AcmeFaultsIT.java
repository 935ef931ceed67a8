package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A CA that is down, hung, rejecting nonces or forgetting accounts: each failure is classified, shown
 * to operators with a retry time, and the certificate is obtained once the CA recovers (retries every
 * 250 ms here). Also a CA reusing valid authorizations, which must not be challenged again.
 */
class AcmeFaultsIT {
    @RegisterExtension
    static final PebbleExtension PEBBLE = new PebbleExtension();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void caDownIsANetworkFailureAndTheCertificateFollowsWhenItIsBack() throws Exception {
        RecordingListener listener = new RecordingListener();
        PEBBLE.stop();
        try (RenewalScheduler scheduler = scheduler(PEBBLE.options(), listener)) {
            Instant before = Instant.now();
            scheduler.manage(Set.of("down.test"));
            CertificateState failed = awaitError(scheduler, "the first order fails while nothing listens");
            assertTrue(failed.lastError().orElseThrow().startsWith("NETWORK"),
                    "connection refused is a network failure: " + failed.lastError());
            assertTrue(failed.nextRenewal().orElseThrow().isAfter(before), "a retry is scheduled after the failure");
            assertTrue(listener.all().isEmpty(), "nothing is installed without a certificate");
            PEBBLE.start(Map.of());
            listener.await(c -> c.names().equals(Set.of("down.test")), WAIT, "a retry succeeds once Pebble is back");
        } finally {
            PEBBLE.startIfStopped();
        }
    }

    @Test
    void hungCaTimesOutAndTheCertificateFollowsWhenItResumes() throws Exception {
        RecordingListener listener = new RecordingListener();
        AcmeOptions impatient = PEBBLE.options().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(20), Duration.ofSeconds(10));
        try (RenewalScheduler scheduler = scheduler(impatient, listener)) {
            PEBBLE.suspend();
            try {
                Instant start = Instant.now();
                scheduler.manage(Set.of("hung.test"));
                assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofMillis(500)) < 0,
                        "manage() never waits for the CA");
                CertificateState failed = awaitError(scheduler, "the order times out while Pebble is stopped");
                assertTrue(failed.lastError().orElseThrow().startsWith("NETWORK"),
                        "a request timeout is a network failure: " + failed.lastError());
            } finally {
                PEBBLE.resume();
            }
            listener.await(c -> c.names().equals(Set.of("hung.test")), WAIT, "a retry succeeds once Pebble runs again");
        }
    }

    @Test
    void exhaustedNonceRetriesAreAServerFailureAndModerateRejectionIsAbsorbed() throws Exception {
        RecordingListener listener = new RecordingListener();
        PEBBLE.stop();
        // Every nonce, not 90 %: with 90 % an order still got through now and then (each request fails
        // only when all of acme4j's 10 tries do, 0.9^10 = 35 %), and the test with it.
        PEBBLE.start(Map.of("PEBBLE_WFE_NONCEREJECT", "100"));
        try (RenewalScheduler scheduler = scheduler(PEBBLE.options(), listener)) {
            scheduler.manage(Set.of("nonce.test"));
            CertificateState failed = awaitError(scheduler, "orders fail while Pebble rejects every nonce");
            assertTrue(failed.lastError().orElseThrow().startsWith("SERVER urn:ietf:params:acme:error:badNonce"),
                    "acme4j gives up after 10 bad nonces; that is a server failure with the problem type: "
                            + failed.lastError());
            PEBBLE.stop();
            PEBBLE.start(Map.of("PEBBLE_WFE_NONCEREJECT", "40"));
            listener.await(c -> c.names().equals(Set.of("nonce.test")), WAIT,
                    "with 40 % rejected nonces acme4j's retries get through");
            RecordingListener.awaitCondition(() -> scheduler.states().get(0).lastError().isEmpty(), WAIT,
                    "the error clears after the success");
            assertEquals(1, listener.all().size(), "exactly one certificate was installed");
        } finally {
            PEBBLE.stop();
            PEBBLE.start(Map.of());
        }
    }

    @Test
    void caThatForgotTheAccountGetsTheStoredKeyRegisteredAgain() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        RecordingListener listener = new RecordingListener();
        try (RenewalScheduler scheduler = new RenewalScheduler(PEBBLE.options(), storage, PEBBLE.challenges(), listener,
                RecordingListener.fastTuning())) {
            scheduler.manage(Set.of("before.test"));
            listener.await(c -> true, WAIT, "a first certificate registers the account");
        }
        AccountStore account = new AccountStore(PEBBLE.options(), storage);
        byte[] key = storage.load(account.keyPath()).orElseThrow();
        String url = new String(storage.load(account.urlPath()).orElseThrow());
        PEBBLE.stop();
        PEBBLE.start(Map.of()); // Pebble keeps accounts in memory only, like a staging reset
        try (RenewalScheduler scheduler = new RenewalScheduler(PEBBLE.options(), storage, PEBBLE.challenges(), listener,
                RecordingListener.fastTuning())) {
            scheduler.manage(Set.of("after.test"));
            listener.await(c -> c.names().equals(Set.of("after.test")), WAIT,
                    "the order succeeds after registering the stored key again");
            assertTrue(scheduler.states().get(0).lastError().isEmpty(), "no failure is left over: the first order succeeded");
        }
        assertTrue(java.util.Arrays.equals(key, storage.load(account.keyPath()).orElseThrow()),
                "the account key is kept, never replaced");
        assertTrue(!url.equals(new String(storage.load(account.urlPath()).orElseThrow())),
                "the new account URL is stored");
    }

    @Test
    void authorizationsTheCaReusesAreNotChallengedAgain() throws Exception {
        PEBBLE.stop();
        PEBBLE.start(Map.of("PEBBLE_AUTHZREUSE", "100"));
        try {
            AcmeClient client = new AcmeClient(PEBBLE.options(), new InMemoryStorage(), PEBBLE.challenges(),
                    java.time.Clock.systemUTC());
            Set<String> names = Set.of("reuse.test");
            ManagedCertificate first = client.issue(names, java.util.Optional.empty());
            PEBBLE.failChallenges(true); // a challenge now would fail: only a skipped one can succeed
            try {
                ManagedCertificate second = client.issue(names, java.util.Optional.empty());
                assertTrue(!second.serial().equals(first.serial()), "a second certificate is issued");
            } finally {
                PEBBLE.failChallenges(false);
            }
        } finally {
            PEBBLE.stop();
            PEBBLE.start(Map.of());
        }
    }

    private static CertificateState awaitError(RenewalScheduler scheduler, String why) throws Exception {
        RecordingListener.awaitCondition(() -> scheduler.states().get(0).lastError().isPresent(), WAIT, why);
        return scheduler.states().get(0);
    }

    private static RenewalScheduler scheduler(AcmeOptions options, RecordingListener listener) {
        return new RenewalScheduler(options, new InMemoryStorage(), PEBBLE.challenges(), listener,
                RecordingListener.fastTuning());
    }
}
