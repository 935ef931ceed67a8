package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portico.acme.renewal.AriWindow;
import dev.portico.acme.renewal.RenewalPolicy;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.toolbox.JSON;
import org.shredzone.acme4j.util.KeyPairUtils;

/** ARI JSON as a CA sends it (RFC 9773 §4.2), parsed by acme4j's own {@link RenewalInfo}, into our window. */
class RenewalInfoWindowTest {
    private static final String BODY = """
            {"suggestedWindow": {"start": "2026-02-03T04:00:00Z", "end": "2026-02-04T04:00:00Z"},
             "explanationURL": "https://ca.example/incident/42"}""";

    @Test
    void suggestedWindowAndExplanationAreReadFromTheCaJson() throws Exception {
        AcmeClient.Ari ari = AcmeClient.ari(parsed(BODY), Optional.of(Instant.parse("2026-02-01T10:00:00Z")));
        assertEquals(new AriWindow(Instant.parse("2026-02-03T04:00:00Z"), Instant.parse("2026-02-04T04:00:00Z")),
                ari.window(), "the window is exactly the CA's suggestedWindow");
        assertEquals(Optional.of("https://ca.example/incident/42"), ari.explanation(), "the explanation is kept for the log line");
        assertEquals(Optional.of(Instant.parse("2026-02-01T10:00:00Z")), ari.retryAfter(), "Retry-After drives the next check");
    }

    @Test
    void parsedWindowFeedsThePolicyAtItsBoundaries() throws Exception {
        AriWindow w = AcmeClient.ari(parsed(BODY), Optional.empty()).window();
        Instant nb = Instant.parse("2026-01-01T00:00:00Z");
        Instant na = nb.plus(Duration.ofDays(45));
        RandomGenerator lowest = new RandomGenerator() {
            @Override public long nextLong() { return 0; }
            @Override public long nextLong(long bound) { return 0; }
        };
        assertEquals(w.start(), RenewalPolicy.renewAt(nb, na, Optional.of(w), w.start().minusSeconds(1), lowest),
                "before the window the pick is inside it");
        assertEquals(w.end().minusSeconds(1), RenewalPolicy.renewAt(nb, na, Optional.of(w), w.end().minusSeconds(1), lowest),
                "in the window's last second the pick is now");
        assertEquals(w.end(), RenewalPolicy.renewAt(nb, na, Optional.of(w), w.end(), lowest), "at the end: overdue, now");
    }

    @Test
    void windowEndingBeforeItStartsIsRejectedByAcme4j() throws Exception {
        RenewalInfo bad = parsed("""
                {"suggestedWindow": {"start": "2026-02-04T04:00:00Z", "end": "2026-02-03T04:00:00Z"}}""");
        assertThrows(RuntimeException.class, () -> bad.renewalIsRecommended(Instant.EPOCH),
                "acme4j refuses an inverted window; our AriWindow must refuse it too");
        assertThrows(IllegalArgumentException.class, () -> AcmeClient.ari(bad, Optional.empty()),
                "an inverted window never reaches the policy");
    }

    private static RenewalInfo parsed(String json) throws Exception {
        AcmeDirectory.registerBouncyCastle();
        Session session = new Session("https://ca.example/dir");
        URL account = URI.create("https://ca.example/acct/1").toURL();
        Login login = new Login(account, KeyPairUtils.createECKeyPair("secp256r1"), session);
        return new JsonRenewalInfo(login, URI.create("https://ca.example/renewal-info/x").toURL(), JSON.parse(json));
    }

    /** acme4j's RenewalInfo holding a given body, as after {@code fetch()}. */
    private static final class JsonRenewalInfo extends RenewalInfo {
        JsonRenewalInfo(Login login, URL location, JSON body) {
            super(login, location);
            setJSON(body);
        }
    }
}
