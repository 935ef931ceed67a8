package dev.portico.acme.renewal;

import java.time.Instant;
import java.util.Objects;

/**
 * A suggested renewal window from ACME Renewal Information (RFC 9773 §4.2): renew in
 * {@code [start, end)}.
 */
public record AriWindow(Instant start, Instant end) {
    public AriWindow {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end: " + end + " is before start " + start);
        }
    }
}
