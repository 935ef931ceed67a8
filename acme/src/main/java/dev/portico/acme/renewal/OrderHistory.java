package dev.portico.acme.renewal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What this process asked of the CA recently, and the pure rule deciding when the next order for a
 * set of names may go out under {@link OrderLimits}. Immutable: {@code with...} returns a new history
 * (the scheduler keeps the current one in a field and replaces it).
 *
 * <p>An event counts in a window of length {@code w} at {@code now} while {@code at > now - w}: a
 * failure at {@code t} stops counting at exactly {@code t + w}.
 */
public record OrderHistory(List<Event> events) {

    public static final OrderHistory EMPTY = new OrderHistory(List.of());
    private static final String HEADER = "# Portico: ACME orders, issued certificates and failed validations of the last days (OrderLimits)";

    public OrderHistory {
        events = List.copyOf(Objects.requireNonNull(events, "events"));
    }

    /** A new order for {@code names} was created at {@code at}. */
    public OrderHistory withOrder(Instant at, Set<String> names) {
        return with(new Event(EventType.ORDER, at, names));
    }

    /** Validation of {@code names} failed at {@code at} (one event per name). */
    public OrderHistory withFailedValidation(Instant at, Set<String> names) {
        OrderHistory h = this;
        for (String name : names) {
            h = h.with(new Event(EventType.FAILED_VALIDATION, at, Set.of(name)));
        }
        return h;
    }

    /** A certificate for exactly {@code names} was issued at {@code at}. */
    public OrderHistory withIssued(Instant at, Set<String> names) {
        return with(new Event(EventType.ISSUED, at, names));
    }

    /**
     * This history and {@code other}'s events together, each once, oldest first: what another
     * process sharing the storage recorded counts here too.
     */
    public OrderHistory mergedWith(OrderHistory other) {
        Set<Event> union = new LinkedHashSet<>(events);
        union.addAll(other.events);
        List<Event> all = new ArrayList<>(union);
        all.sort(Comparator.comparing(Event::at));
        return new OrderHistory(all);
    }

    /** Drops what is older than every window at {@code now}. */
    public OrderHistory pruned(OrderLimits limits, Instant now) {
        Instant cutoff = now.minus(limits.horizon());
        return new OrderHistory(events.stream().filter(e -> e.at().isAfter(cutoff)).toList());
    }

    /**
     * The earliest instant, {@code now} or later, at which an order for {@code names} stays within
     * {@code limits}: {@code now} when it may go out at once.
     */
    public Instant nextAllowed(Set<String> names, OrderLimits limits, Instant now) {
        Set<String> nameSet = Set.copyOf(names);
        Instant allowed = now;
        allowed = later(allowed, freeAt(e -> e.type() == EventType.ORDER, limits.orders(), limits.ordersWindow(), now));
        allowed = later(allowed, freeAt(e -> e.type() == EventType.ISSUED && e.names().equals(nameSet),
                limits.duplicates(), limits.duplicatesWindow(), now));
        for (String name : nameSet) {
            allowed = later(allowed, freeAt(e -> e.type() == EventType.FAILED_VALIDATION && e.names().contains(name),
                    limits.failedValidations(), limits.failedValidationsWindow(), now));
        }
        return allowed;
    }

    /**
     * With {@code max} events allowed per {@code window}: {@code now} when fewer than {@code max}
     * matching events are in the window, else the instant the oldest one that must leave does leave.
     */
    private Instant freeAt(Predicate<Event> matches, int max, java.time.Duration window, Instant now) {
        Instant from = now.minus(window);
        List<Instant> inWindow = events.stream().filter(matches)
                .map(Event::at).filter(at -> at.isAfter(from) && !at.isAfter(now))
                .sorted(Comparator.reverseOrder()).toList();
        if (inWindow.size() < max) {
            return now;
        }
        // The newest max-1 events may stay; the max-th newest must leave the window.
        return inWindow.get(max - 1).plus(window);
    }

    /**
     * The history as text, one event a line ({@code ORDER 2026-05-01T00:00:00Z a.example,b.example}),
     * for the scheduler to keep in storage: a restart must not forget what the CA has already counted.
     */
    public String encode() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (Event e : events) {
            out.append(e.type()).append(' ').append(e.at()).append(' ')
                    .append(String.join(",", new TreeSet<>(e.names()))).append('\n');
        }
        return out.toString();
    }

    /**
     * Reads what {@link #encode} wrote; blank lines and {@code #} comments are skipped.
     *
     * @throws IllegalArgumentException naming the line and what was expected, for anything else
     */
    public static OrderHistory parse(String text) {
        List<Event> events = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(" ");
            try {
                if (fields.length != 3 || fields[2].isEmpty()) {
                    throw new IllegalArgumentException("3 fields");
                }
                events.add(new Event(EventType.valueOf(fields[0]), Instant.parse(fields[1]), Set.of(fields[2].split(","))));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": '" + line
                        + "' (expected: ORDER|FAILED_VALIDATION|ISSUED, an ISO-8601 instant, names separated by commas)", e);
            }
        }
        return new OrderHistory(events);
    }

    private OrderHistory with(Event e) {
        List<Event> copy = new ArrayList<>(events);
        copy.add(e);
        return new OrderHistory(copy);
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }

    /** One recorded request or outcome. */
    public record Event(EventType type, Instant at, Set<String> names) {
        public Event {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(at, "at");
            names = Set.copyOf(Objects.requireNonNull(names, "names"));
        }
    }

    /** Kinds of recorded events. */
    public enum EventType { ORDER, FAILED_VALIDATION, ISSUED }
}
