package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationFormatTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"500ms, PT0.5S", "10s, PT10S", "2m, PT2M", "1h, PT1H", "7d, PT168H", "0s, PT0S", "90s, PT1M30S"})
    void oneNumberAndOneLowerCaseUnit(String text, String iso) {
        assertEquals(Duration.parse(iso), DurationFormat.parse(text), text + " must mean " + iso);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5x", "1h30m", "-1s", "1.5s", "s", "", "5 s", "P1D"})
    void anythingElseIsRefusedWithExamples(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationFormat.parse(text),
                "'" + text + "' is not a duration in Portico's syntax");
        assertTrue(e.getMessage().contains("expected e.g. 500ms, 5s, 2m"), "the message shows valid examples: " + e.getMessage());
    }

    @Test
    void aBareNumberIsRefusedBecauseItsUnitWouldBeAGuess() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationFormat.parse("10"),
                "10 could be seconds or milliseconds: it must be refused");
        assertTrue(e.getMessage().contains("did you mean '10s'?"), "the message suggests a unit: " + e.getMessage());
    }

    @Test
    void upperCaseUnitsAreRefusedWithTheLowerCaseSuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationFormat.parse("5M"),
                "5M could be read as months: units are lower case only");
        assertTrue(e.getMessage().contains("did you mean '5m'?"), "the message suggests the lower-case unit: " + e.getMessage());
    }

    @Test
    void durationsPastTenYearsAreRefusedSoMillisecondsNeverOverflow() {
        assertEquals(Duration.ofDays(3650), DurationFormat.parse("3650d"), "3650d is the largest accepted duration");
        assertThrows(IllegalArgumentException.class, () -> DurationFormat.parse("3651d"), "3651d is past the cap");
        assertThrows(IllegalArgumentException.class, () -> DurationFormat.parse("999999999999d"),
                "a duration whose milliseconds overflow a long must be refused");
    }

    @ParameterizedTest(name = "{0} renders as {1}")
    @CsvSource({"PT0.5S, 500ms", "PT1M30S, 90s", "PT5M, 5m", "PT24H, 1d", "PT25H, 25h", "PT1.5S, 1500ms"})
    void formatIsExactAndParsesBack(String iso, String text) {
        Duration d = Duration.parse(iso);
        assertEquals(text, DurationFormat.format(d), "the largest unit that divides exactly");
        assertEquals(d, DurationFormat.parse(DurationFormat.format(d)), "format's output parses back to the same duration");
    }
}
