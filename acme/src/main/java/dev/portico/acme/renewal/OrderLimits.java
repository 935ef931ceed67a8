package dev.portico.acme.renewal;

import java.time.Duration;

/**
 * Client-side caps that keep Portico well inside a CA's rate limits, whatever goes wrong.
 * {@link #LETS_ENCRYPT} mirrors Let's Encrypt's: 5 failed validations per name per hour, 5 duplicate
 * certificates (same set of names) per week, 300 new orders per 3 hours per account.
 */
public record OrderLimits(
        int failedValidations, Duration failedValidationsWindow,
        int duplicates, Duration duplicatesWindow,
        int orders, Duration ordersWindow) {

    public static final OrderLimits LETS_ENCRYPT = new OrderLimits(
            5, Duration.ofHours(1), 5, Duration.ofDays(7), 300, Duration.ofHours(3));

    public OrderLimits {
        if (failedValidations < 1 || duplicates < 1 || orders < 1) {
            throw new IllegalArgumentException("limits: " + failedValidations + "/" + duplicates + "/" + orders
                    + " (expected: each >= 1)");
        }
        if (!positive(failedValidationsWindow) || !positive(duplicatesWindow) || !positive(ordersWindow)) {
            throw new IllegalArgumentException("windows: expected positive durations");
        }
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    /** The longest window: history older than this no longer matters. */
    Duration horizon() {
        Duration max = failedValidationsWindow;
        if (duplicatesWindow.compareTo(max) > 0) {
            max = duplicatesWindow;
        }
        return ordersWindow.compareTo(max) > 0 ? ordersWindow : max;
    }
}
