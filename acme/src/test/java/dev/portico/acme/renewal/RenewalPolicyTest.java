package dev.portico.acme.renewal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenewalPolicyTest {
    private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant WINDOW_START = Instant.parse("2026-02-20T00:00:00Z");
    private static final Instant WINDOW_END = Instant.parse("2026-02-22T00:00:00Z");
    private static final AriWindow WINDOW = new AriWindow(WINDOW_START, WINDOW_END);
    private static final FixedRandom LOWEST = new FixedRandom(0);
    private static final FixedRandom HIGHEST = new FixedRandom(0.999999999);

    @ParameterizedTest(name = "{0}-day certificate renews after {1} days")
    @CsvSource({"90, 60", "45, 30", "6, 3", "10, 6.666666666666667"})
    void withoutAriRenewsWhenAThirdOrForShortCertificatesHalfTheLifetimeRemains(int lifetimeDays, double renewAfterDays) {
        Instant notAfter = ISSUED.plus(Duration.ofDays(lifetimeDays));
        Instant expected = ISSUED.plusMillis(Math.round(renewAfterDays * 86_400_000L));
        Instant renewAt = RenewalPolicy.renewAt(ISSUED, notAfter, Optional.empty(), ISSUED, LOWEST);
        assertEquals(expected, renewAt, "the renewal instant is notAfter minus a third (half below 10 days) of the lifetime");
        assertFalse(RenewalPolicy.isDue(renewAt, renewAt.minusSeconds(1)), "one second before the instant it is not due yet");
        assertTrue(RenewalPolicy.isDue(renewAt, renewAt), "at the instant itself it is due");
        assertTrue(RenewalPolicy.isDue(renewAt, notAfter), "an expired certificate is due");
    }

    @Test
    void certificateJustShorterThanTenDaysRenewsAtHalfItsLifetime() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(10)).minusSeconds(2);
        Instant renewAt = RenewalPolicy.renewAt(ISSUED, notAfter, Optional.empty(), ISSUED, LOWEST);
        assertEquals(ISSUED.plus(Duration.ofDays(5)).minusSeconds(1), renewAt,
                "below 10 days of lifetime half of it must remain at renewal, so 6-day certificates stay fresh");
    }

    @Test
    void sixDayCertificateKeepsThreeDaysOfMarginForRetries() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(6));
        Instant renewAt = RenewalPolicy.renewAt(ISSUED, notAfter, Optional.empty(), ISSUED, LOWEST);
        assertEquals(Duration.ofDays(3), Duration.between(renewAt, notAfter),
                "three days before expiry leaves room for the whole backoff table (1 min, 10 min, 100 min, daily)");
    }

    @Test
    void ariWindowBeforeItOpensPicksInsideTheWindow() {
        Instant now = WINDOW_START.minusSeconds(1);
        assertEquals(WINDOW_START, renew(now, LOWEST), "the lowest draw is the window start, not now");
        assertEquals(WINDOW_END.minusMillis(1), renew(now, HIGHEST), "the highest draw is just before the window end");
    }

    @Test
    void ariWindowAtItsStartPicksFromTheStart() {
        assertEquals(WINDOW_START, renew(WINDOW_START, LOWEST), "at the start the lowest draw is the start itself");
        Instant middle = renew(WINDOW_START, new FixedRandom(0.5));
        assertEquals(WINDOW_START.plus(Duration.ofDays(1)), middle, "a draw of one half is the middle of the window");
    }

    @Test
    void ariWindowAlmostClosedPicksInTheLastSecond() {
        Instant now = WINDOW_END.minusSeconds(1);
        assertEquals(now, renew(now, LOWEST), "inside the window nothing earlier than now is picked");
        assertEquals(WINDOW_END.minusMillis(1), renew(now, HIGHEST), "the pick stays before the window end");
    }

    @Test
    void ariWindowClosedRenewsNow() {
        assertEquals(WINDOW_END, renew(WINDOW_END, HIGHEST), "at the window end renewal is overdue: now");
        Instant later = WINDOW_END.plus(Duration.ofHours(3));
        assertEquals(later, renew(later, LOWEST), "after the window renewal is overdue: now");
    }

    @Test
    void ariWindowOverridesTheLifetimeRule() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(90));
        AriWindow early = new AriWindow(ISSUED.plus(Duration.ofDays(10)), ISSUED.plus(Duration.ofDays(11)));
        Instant renewAt = RenewalPolicy.renewAt(ISSUED, notAfter, Optional.of(early), ISSUED, LOWEST);
        assertEquals(early.start(), renewAt, "a CA moving the window earlier (e.g. before a revocation) must be obeyed");
    }

    @Test
    void ariIsRecheckedTwiceADayOrAtRetryAfterWithinBounds() {
        Instant now = ISSUED;
        assertEquals(now.plus(Duration.ofHours(12)), RenewalPolicy.nextAriCheck(now, Optional.empty()),
                "without Retry-After renewal information is fetched again in 12 hours");
        assertEquals(now.plus(Duration.ofHours(6)), RenewalPolicy.nextAriCheck(now, Optional.of(now.plus(Duration.ofHours(6)))),
                "Retry-After is honoured");
        assertEquals(now.plus(Duration.ofMinutes(1)), RenewalPolicy.nextAriCheck(now, Optional.of(now.plusSeconds(1))),
                "a Retry-After of one second must not make us hammer the CA");
        assertEquals(now.plus(Duration.ofDays(1)), RenewalPolicy.nextAriCheck(now, Optional.of(now.plus(Duration.ofDays(30)))),
                "a far Retry-After must not make us miss a moved window");
    }

    private static Instant renew(Instant now, FixedRandom random) {
        return RenewalPolicy.renewAt(ISSUED, ISSUED.plus(Duration.ofDays(90)), Optional.of(WINDOW), now, random);
    }
}
