package dev.portico.tls.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TicketKeyRingTest {
    private static final Instant START = Instant.parse("2026-01-10T00:00:00Z");
    private static final Duration PERIOD = Duration.ofHours(12);

    @Test
    void rotatesExactlyWhenThePeriodHasPassed() {
        TicketKeyRing ring = new TicketKeyRing(PERIOD, 3, new SplittableRandom(1), START);
        assertEquals(START.plus(PERIOD), ring.nextRotation(), "the first rotation is one period after start");
        assertFalse(ring.rotateIfDue(START.plus(PERIOD).minusSeconds(1)), "one second early: no new key");
        assertEquals(1, ring.keys().length, "still the single initial key");
        assertTrue(ring.rotateIfDue(START.plus(PERIOD)), "at the boundary: a new key");
        assertEquals(START.plus(PERIOD).plus(PERIOD), ring.nextRotation(), "the next period starts at the rotation");
    }

    @Test
    void theNewKeyEncryptsAndOlderOnesAreKeptUpToTheLimit() {
        TicketKeyRing ring = new TicketKeyRing(PERIOD, 3, new SplittableRandom(1), START);
        OpenSslSessionTicketKey first = ring.keys()[0];
        ring.rotateIfDue(START.plus(PERIOD));
        OpenSslSessionTicketKey second = ring.keys()[0];
        assertArrayEquals(first.name(), ring.keys()[1].name(), "the previous key stays to decrypt its tickets");
        ring.rotateIfDue(START.plus(PERIOD.multipliedBy(2)));
        ring.rotateIfDue(START.plus(PERIOD.multipliedBy(3)));
        OpenSslSessionTicketKey[] keys = ring.keys();
        assertEquals(3, keys.length, "at most three keys are kept");
        assertArrayEquals(second.name(), keys[2].name(), "the oldest kept key is the second one; the first is gone");
        assertEquals(OpenSslSessionTicketKey.AES_KEY_SIZE, keys[0].aesKey().length, "keys have the sizes OpenSSL expects");
    }
}
