package dev.portico.acme.renewal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final FixedRandom NO_JITTER = new FixedRandom(0.5);

    @ParameterizedTest(name = "failure {0} waits {1}")
    @CsvSource({"1, PT1M", "2, PT10M", "3, PT1H40M", "4, PT24H", "5, PT24H", "100, PT24H"})
    void tableGrowsFromOneMinuteToDaily(int failures, Duration wait) {
        assertEquals(NOW.plus(wait), Backoff.DEFAULT.nextAttempt(failures, FailureKind.NETWORK, NOW, Optional.empty(), NO_JITTER),
                "the retry table is 1 min, 10 min, 100 min, then daily");
    }

    @Test
    void jitterSpreadsByTenPercentEitherWay() {
        assertEquals(NOW.plusSeconds(54), Backoff.DEFAULT.nextAttempt(1, FailureKind.SERVER, NOW, Optional.empty(), new FixedRandom(0)),
                "the lowest draw waits 90 % of the step");
        assertEquals(NOW.plusSeconds(66), Backoff.DEFAULT.nextAttempt(1, FailureKind.SERVER, NOW, Optional.empty(),
                new FixedRandom(0.999999999)), "the highest draw waits 110 % of the step");
    }

    @Test
    void retryAfterLaterThanTheTableWins() {
        Instant retryAfter = NOW.plus(Duration.ofHours(3));
        assertEquals(retryAfter, Backoff.DEFAULT.nextAttempt(1, FailureKind.RATE_LIMITED, NOW, Optional.of(retryAfter), NO_JITTER),
                "a rate-limited CA is not asked again before its Retry-After");
    }

    @Test
    void retryAfterEarlierThanTheTableIsNotAShortcut() {
        Instant retryAfter = NOW.plusSeconds(5);
        assertEquals(NOW.plus(Duration.ofMinutes(10)),
                Backoff.DEFAULT.nextAttempt(2, FailureKind.RATE_LIMITED, NOW, Optional.of(retryAfter), NO_JITTER),
                "the later of backoff and Retry-After applies");
    }

    @Test
    void failuresAHumanMustFixWaitTheLongestStepAtOnce() {
        assertEquals(NOW.plus(Duration.ofDays(1)),
                Backoff.DEFAULT.nextAttempt(1, FailureKind.NEEDS_HUMAN, NOW, Optional.empty(), NO_JITTER),
                "retrying a CAA or unauthorized problem every minute only burns rate limits");
        assertEquals(NOW.plus(Duration.ofDays(1)),
                Backoff.DEFAULT.nextAttempt(1, FailureKind.BAD_CONFIG, NOW, Optional.empty(), NO_JITTER),
                "a bad config is retried daily until a reload replaces it");
    }

    @Test
    void stepsShrinkToHalfTheTimeLeftBeforeExpiry() {
        Optional<Instant> expiresInADay = Optional.of(NOW.plus(Duration.ofDays(1)));
        assertEquals(NOW.plus(Duration.ofHours(12)),
                Backoff.DEFAULT.nextAttempt(5, FailureKind.NETWORK, NOW, Optional.empty(), expiresInADay, NO_JITTER),
                "a daily step would let a certificate with one day left expire after a single retry");
        assertEquals(NOW.plus(Duration.ofMinutes(10)),
                Backoff.DEFAULT.nextAttempt(2, FailureKind.NETWORK, NOW, Optional.empty(), expiresInADay, NO_JITTER),
                "steps shorter than half the time left are unchanged");
        assertEquals(NOW.plus(Duration.ofMinutes(1)), Backoff.DEFAULT.nextAttempt(4, FailureKind.NETWORK, NOW,
                Optional.empty(), Optional.of(NOW.plusSeconds(30)), NO_JITTER),
                "never faster than the first step, even just before expiry");
        Instant retryAfter = NOW.plus(Duration.ofHours(20));
        assertEquals(retryAfter, Backoff.DEFAULT.nextAttempt(5, FailureKind.RATE_LIMITED, NOW, Optional.of(retryAfter),
                expiresInADay, NO_JITTER), "the CA's Retry-After still wins");
    }

    @Test
    void sixDayCertificateGetsSeveralRetriesBeforeItExpires() {
        Instant notAfter = NOW.plus(Duration.ofDays(3)); // renewal starts with half of 6 days left
        Instant t = NOW;
        int attempts = 1;
        for (int failures = 1; failures < 50; failures++) {
            t = Backoff.DEFAULT.nextAttempt(failures, FailureKind.SERVER, t, Optional.empty(), Optional.of(notAfter), NO_JITTER);
            if (!t.isBefore(notAfter)) {
                break;
            }
            attempts++;
        }
        assertTrue(attempts >= 8, "a CA outage of up to ~2.9 days still leaves retries: " + attempts);
    }

    @Test
    void zeroFailuresIsAProgrammerError() {
        assertThrows(IllegalArgumentException.class,
                () -> Backoff.DEFAULT.nextAttempt(0, FailureKind.NETWORK, NOW, Optional.empty(), NO_JITTER),
                "nextAttempt is only defined after a failure");
    }
}
