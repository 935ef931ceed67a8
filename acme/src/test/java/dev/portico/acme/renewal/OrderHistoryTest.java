package dev.portico.acme.renewal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrderHistoryTest {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");
    private static final OrderLimits LE = OrderLimits.LETS_ENCRYPT;
    private static final Set<String> AB = Set.of("a.example", "b.example");

    @Test
    void fourFailedValidationsInAnHourStillAllowAnOrder() {
        OrderHistory h = failures(4, "a.example");
        Instant now = T0.plus(Duration.ofMinutes(4));
        assertEquals(now, h.nextAllowed(AB, LE, now), "Let's Encrypt allows 5 failed validations per name per hour");
    }

    @Test
    void fifthFailedValidationBlocksTheNameUntilTheFirstLeavesTheHour() {
        OrderHistory h = failures(5, "a.example");
        Instant reopen = T0.plus(Duration.ofHours(1));
        assertEquals(reopen, h.nextAllowed(AB, LE, T0.plus(Duration.ofMinutes(5))),
                "after 5 failures the next order waits until the oldest failure is an hour old");
        assertEquals(reopen, h.nextAllowed(AB, LE, reopen.minusSeconds(1)), "one second before, still blocked");
        assertEquals(reopen, h.nextAllowed(AB, LE, reopen), "exactly one hour after the oldest failure it is allowed");
        Instant now = T0.plus(Duration.ofMinutes(5));
        assertEquals(now, h.nextAllowed(Set.of("c.example"), LE, now), "failures of another name do not block this one");
    }

    @Test
    void fifthDuplicateCertificateInAWeekBlocksTheSameSetOnly() {
        OrderHistory h = OrderHistory.EMPTY;
        for (int i = 0; i < 5; i++) {
            h = h.withIssued(T0.plus(Duration.ofDays(i)), AB);
        }
        Instant reopen = T0.plus(Duration.ofDays(7));
        Instant now = T0.plus(Duration.ofDays(4));
        assertEquals(reopen, h.nextAllowed(AB, LE, now), "5 certificates for the same names per week at most");
        assertEquals(reopen, h.nextAllowed(AB, LE, reopen.minusSeconds(1)), "one second before the week ends, blocked");
        assertEquals(reopen, h.nextAllowed(AB, LE, reopen), "exactly a week after the oldest it is allowed");
        assertEquals(now, h.nextAllowed(Set.of("a.example"), LE, now), "a different set of names is not a duplicate");
    }

    @Test
    void threeHundredOrdersInThreeHoursBlockEveryOrder() {
        OrderHistory h = OrderHistory.EMPTY;
        for (int i = 0; i < 300; i++) {
            h = h.withOrder(T0.plusSeconds(i), Set.of("n" + i + ".example"));
        }
        Instant reopen = T0.plus(Duration.ofHours(3));
        assertEquals(reopen, h.nextAllowed(Set.of("new.example"), LE, T0.plus(Duration.ofHours(1))),
                "300 new orders per 3 hours per account at most");
        assertEquals(reopen, h.nextAllowed(Set.of("new.example"), LE, reopen.minusSeconds(1)), "still blocked a second before");
        assertEquals(reopen, h.nextAllowed(Set.of("new.example"), LE, reopen), "allowed when the oldest order is 3 hours old");
    }

    @Test
    void pruningForgetsOnlyWhatNoWindowCounts() {
        OrderHistory h = OrderHistory.EMPTY.withIssued(T0, AB).withOrder(T0.plus(Duration.ofDays(6)), AB);
        assertEquals(2, h.pruned(LE, T0.plus(Duration.ofDays(7)).minusSeconds(1)).events().size(),
                "an issuance inside the 7-day duplicate window is kept");
        assertEquals(1, h.pruned(LE, T0.plus(Duration.ofDays(7))).events().size(),
                "an issuance a full week old no longer counts anywhere");
    }

    private static OrderHistory failures(int n, String name) {
        OrderHistory h = OrderHistory.EMPTY;
        for (int i = 0; i < n; i++) {
            h = h.withFailedValidation(T0.plus(Duration.ofMinutes(i)), Set.of(name));
        }
        return h;
    }

    @Test
    void theHistoryReadsBackAsWrittenAndABadLineIsNamed() {
        OrderHistory h = OrderHistory.EMPTY.withOrder(T0, AB).withFailedValidation(T0.plusSeconds(5), Set.of("a.example"))
                .withIssued(T0.plusSeconds(9), AB);

        String text = h.encode();

        assertEquals(h, OrderHistory.parse(text), "every event, its time and names survive");
        assertTrue(text.contains("ORDER 2026-05-01T00:00:00Z a.example,b.example\n"), text);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> OrderHistory.parse(text + "ORDER yesterday a.example\n"));
        assertTrue(bad.getMessage().startsWith("line 5: 'ORDER yesterday a.example' (expected: "), bad.getMessage());
    }

    @Test
    void mergingKeepsEveryEventOnceInTimeOrder() {
        OrderHistory mine = OrderHistory.EMPTY.withOrder(T0, AB).withOrder(T0.plusSeconds(20), Set.of("c.example"));
        OrderHistory theirs = OrderHistory.EMPTY.withOrder(T0, AB).withOrder(T0.plusSeconds(10), Set.of("d.example"));

        OrderHistory merged = mine.mergedWith(theirs);

        assertEquals(List.of(T0, T0.plusSeconds(10), T0.plusSeconds(20)),
                merged.events().stream().map(OrderHistory.Event::at).toList(), "the shared event once, oldest first");
    }
}
