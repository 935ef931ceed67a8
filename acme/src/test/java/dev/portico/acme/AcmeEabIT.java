package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.acme.renewal.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A CA requiring external account binding (as ZeroSSL or Google do), played by Pebble. */
class AcmeEabIT {
    private static final String KID = "portico-kid";
    private static final String HMAC = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
    @RegisterExtension
    static final PebbleExtension PEBBLE = new PebbleExtension(0, Map.of(KID, HMAC));
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void accountWithExternalBindingIsRegisteredAndIssues() throws Exception {
        RecordingListener listener = new RecordingListener();
        AcmeOptions options = PEBBLE.options().withEab(new AcmeOptions.ExternalAccountBinding(KID, HMAC));
        try (RenewalScheduler scheduler = new RenewalScheduler(options, new InMemoryStorage(), PEBBLE.challenges(),
                listener, RecordingListener.fastTuning())) {
            scheduler.manage(Set.of("eab.test"));
            listener.await(c -> true, WAIT, "the account binds to the external key id and orders");
        }
    }

    @Test
    void missingBindingIsABadConfigNotRetriedEveryMinute() throws Exception {
        RecordingListener listener = new RecordingListener();
        Backoff backoff = new Backoff(List.of(Duration.ofMillis(250), Duration.ofHours(1)), 0);
        try (RenewalScheduler scheduler = new RenewalScheduler(PEBBLE.options(), new InMemoryStorage(),
                PEBBLE.challenges(), listener, RecordingListener.tuning(backoff))) {
            scheduler.manage(Set.of("no-eab.test"));
            RecordingListener.awaitCondition(() -> scheduler.states().get(0).lastError().isPresent(), WAIT,
                    "account registration fails without the binding");
            String error = scheduler.states().get(0).lastError().orElseThrow();
            assertTrue(error.startsWith("BAD_CONFIG urn:ietf:params:acme:error:externalAccountRequired"),
                    "the operator is told the CA requires EAB: " + error);
            assertTrue(scheduler.states().get(0).nextRenewal().orElseThrow().isAfter(Instant.now().plus(Duration.ofMinutes(30))),
                    "a config error goes straight to the longest backoff step instead of hammering the CA");
            assertEquals(0, listener.all().size(), "nothing is installed");
        }
    }
}
