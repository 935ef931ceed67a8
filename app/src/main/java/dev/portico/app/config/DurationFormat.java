package dev.portico.app.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in the config: a whole number and one lower-case unit, {@code ms s m h d}.
 * Examples: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}. A bare number is refused
 * because its unit would be a guess.
 */
final class DurationFormat {
    static final String EXAMPLES = "e.g. 500ms, 5s, 2m";
    /** Past this, a duration is a typo, and in milliseconds it would overflow a long. */
    static final Duration MAX = Duration.ofDays(3650);

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private DurationFormat() {}

    /** The duration {@code text} means; {@link IllegalArgumentException} saying why not. */
    static Duration parse(String text) {
        String t = text.strip();
        Matcher m = SYNTAX.matcher(t);
        if (!m.matches()) {
            String hint = "";
            if (SYNTAX.matcher(t.toLowerCase(Locale.ROOT)).matches()) {
                hint = "; did you mean '" + t.toLowerCase(Locale.ROOT) + "'?";
            } else if (t.matches("\\d{1,12}")) {
                hint = "; a unit is required: did you mean '" + t + "s'?";
            }
            throw new IllegalArgumentException("'" + text + "' is not a duration (expected " + EXAMPLES + hint + ")");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalStateException("unit " + m.group(2));
        };
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long (expected at most " + format(MAX) + ")");
        }
        return d;
    }

    /** The shortest exact rendering in the same syntax: {@code 90s}, {@code 5m}, {@code 1500ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms != 0 && ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
