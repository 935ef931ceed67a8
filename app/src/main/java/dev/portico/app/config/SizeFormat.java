package dev.portico.app.config;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as written in the config: a whole number and an optional unit, case-insensitive.
 * {@code KiB MiB GiB} and the nginx-style bare {@code K M G} are powers of 1024; {@code KB MB GB}
 * are powers of 1000 (SI); {@code B} or no unit is bytes. Examples: {@code 512}, {@code 8KiB},
 * {@code 10MiB}, {@code 1G}, {@code 5MB}. Fractions are not accepted.
 */
final class SizeFormat {
    static final String EXAMPLES = "e.g. 512, 8KiB, 10MiB, 1GiB";

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,19}) ?([a-zA-Z]*)");
    private static final long KI = 1024L;
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", KI), Map.entry("kib", KI),
            Map.entry("m", KI * KI), Map.entry("mib", KI * KI),
            Map.entry("g", KI * KI * KI), Map.entry("gib", KI * KI * KI),
            Map.entry("kb", 1000L), Map.entry("mb", 1000_000L), Map.entry("gb", 1000_000_000L));

    private SizeFormat() {}

    /** The number of bytes {@code text} means; {@link IllegalArgumentException} saying why not. */
    static long parse(String text) {
        Matcher m = SYNTAX.matcher(text.strip());
        Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected " + EXAMPLES + ")");
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large (expected " + EXAMPLES + ")");
        }
    }

    /** The shortest exact rendering: {@code 8KiB}, {@code 10MiB}, {@code 1000} (no rounding). */
    static String format(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        long[] sizes = {KI * KI * KI, KI * KI, KI};
        for (int i = 0; i < units.length; i++) {
            if (bytes != 0 && bytes % sizes[i] == 0) {
                return bytes / sizes[i] + units[i];
            }
        }
        return Long.toString(bytes);
    }
}
