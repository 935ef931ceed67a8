package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizeFormatTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "512, 512", "512B, 512", "0, 0",
        "8KiB, 8192", "8kib, 8192", "8KIB, 8192", "8K, 8192", "8k, 8192", "8 KiB, 8192",
        "10MiB, 10485760", "10m, 10485760", "1GiB, 1073741824", "1g, 1073741824",
        "8KB, 8000", "8kb, 8000", "5MB, 5000000", "1GB, 1000000000"})
    void binaryUnitsArePowersOf1024AndSiUnitsPowersOf1000(String text, long bytes) {
        assertEquals(bytes, SizeFormat.parse(text), text + " must mean " + bytes + " bytes (KiB/K = 1024, KB = 1000)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5x", "1.5MiB", "-1", "KiB", "", "8 K i B", "10TiB", "0x10", "8  KiB"})
    void anythingElseIsRefusedWithExamples(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeFormat.parse(text),
                "'" + text + "' is not a size and must not be guessed at");
        assertTrue(e.getMessage().contains("expected e.g. 512, 8KiB"), "the message shows valid examples: " + e.getMessage());
    }

    @Test
    void overflowIsRefusedInsteadOfWrappingAround() {
        assertThrows(IllegalArgumentException.class, () -> SizeFormat.parse("9999999999999GiB"),
                "a size past Long.MAX_VALUE bytes must fail, not wrap to a negative limit");
    }

    @ParameterizedTest(name = "{0} bytes renders as {1}")
    @CsvSource({"8192, 8KiB", "10485760, 10MiB", "1073741824, 1GiB", "1000, 1000", "1536, 1536", "0, 0", "10000000, 10000000"})
    void formatIsExactAndParsesBack(long bytes, String text) {
        assertEquals(text, SizeFormat.format(bytes), "the largest unit that divides exactly, never a rounded value");
        assertEquals(bytes, SizeFormat.parse(SizeFormat.format(bytes)), "format's output parses back to the same size");
    }
}
