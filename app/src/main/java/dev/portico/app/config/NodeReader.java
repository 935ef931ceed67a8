package dev.portico.app.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads typed values out of YAML nodes. Every method either returns the value or reports a problem
 * (what was found, what was expected) and returns empty, so the caller can go on and find the next
 * problem. Single-threaded.
 */
final class NodeReader {
    private static final int MAX_SHOWN = 60;
    private static final Set<Tag> TEXT_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.TIMESTAMP);

    private final Problems problems;

    NodeReader(Problems problems) {
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    /** A mapping restricted to {@code allowed} keys. */
    Optional<YamlMapping> mapping(Node node, String path, List<String> allowed) {
        return YamlMapping.read(node, path, allowed, problems);
    }

    /** The items of a list. */
    Optional<List<Node>> list(Node node, String path, String expected) {
        if (node instanceof SequenceNode sequence) {
            return Optional.of(sequence.getValue());
        }
        problems.add(node, path, "found " + describe(node) + ", expected " + expected);
        return Optional.empty();
    }

    /** A plain YAML string (not a number, boolean or null), non-blank. */
    Optional<String> string(Node node, String path, String expected) {
        if (node instanceof ScalarNode scalar && node.getTag().equals(Tag.STR) && !scalar.getValue().isBlank()) {
            return Optional.of(scalar.getValue());
        }
        problems.add(node, path, "found " + describe(node) + ", expected " + expected);
        return Optional.empty();
    }

    /** Any plain scalar's text, numbers and booleans included ({@code X-Count: 5}); empty text allowed. */
    Optional<String> text(Node node, String path, String expected) {
        if (node instanceof ScalarNode scalar && TEXT_TAGS.contains(node.getTag())) {
            return Optional.of(scalar.getValue());
        }
        problems.add(node, path, "found " + describe(node) + ", expected " + expected);
        return Optional.empty();
    }

    /** Like {@link #text}, but the value is a secret: no message ever shows it. */
    Optional<String> secret(Node node, String path) {
        if (node instanceof ScalarNode scalar && TEXT_TAGS.contains(node.getTag()) && !scalar.getValue().isEmpty()) {
            return Optional.of(scalar.getValue());
        }
        String found = node instanceof ScalarNode ? "no value" : describe(node);
        problems.add(node, path, "found " + found + ", expected a string (a secret, not shown)");
        return Optional.empty();
    }

    /** {@code true} or {@code false}; YAML 1.1's yes/no/on/off are refused as ambiguous. */
    Optional<Boolean> bool(Node node, String path) {
        if (node instanceof ScalarNode scalar && (scalar.getValue().equals("true") || scalar.getValue().equals("false"))) {
            return Optional.of(Boolean.parseBoolean(scalar.getValue()));
        }
        problems.add(node, path, "found " + describe(node) + ", expected true or false");
        return Optional.empty();
    }

    /** A decimal integer within {@code min..max}. */
    Optional<Integer> integer(Node node, String path, int min, int max) {
        if (node instanceof ScalarNode scalar && scalar.getValue().matches("\\d{1,9}")) {
            int value = Integer.parseInt(scalar.getValue());
            if (value >= min && value <= max) {
                return Optional.of(value);
            }
            problems.add(node, path, value + " is out of range (expected " + min + ".." + max + ")");
            return Optional.empty();
        }
        problems.add(node, path, "found " + describe(node) + ", expected a whole number " + min + ".." + max);
        return Optional.empty();
    }

    /** A positive byte size ({@link SizeFormat}). */
    Optional<Long> size(Node node, String path) {
        return positive(parsed(node, path, "a size, " + SizeFormat.EXAMPLES, SizeFormat::parse), node, path,
                n -> n > 0);
    }

    /** A positive duration ({@link DurationFormat}). */
    Optional<Duration> duration(Node node, String path) {
        return positive(parsed(node, path, "a duration, " + DurationFormat.EXAMPLES, DurationFormat::parse),
                node, path, d -> !d.isZero());
    }

    /** One of the names in {@code choices}, with a did-you-mean when it is close to one. */
    <E> Optional<E> choice(Node node, String path, Map<String, E> choices) {
        List<String> names = new ArrayList<>(choices.keySet());
        String expected = String.join(" | ", names);
        if (node instanceof ScalarNode scalar && !node.getTag().equals(Tag.NULL)) {
            E value = choices.get(scalar.getValue());
            if (value != null) {
                return Optional.of(value);
            }
            problems.add(node, path, "'" + shown(scalar.getValue()) + "' is not valid (expected " + expected
                    + Suggestion.hint(scalar.getValue(), names) + ")");
            return Optional.empty();
        }
        problems.add(node, path, "found " + describe(node) + ", expected " + expected);
        return Optional.empty();
    }

    /**
     * A scalar turned into a value by {@code parser}, whose {@link IllegalArgumentException} message
     * becomes the problem.
     */
    <T> Optional<T> parsed(Node node, String path, String expected, Function<String, T> parser) {
        if (node instanceof ScalarNode scalar && !node.getTag().equals(Tag.NULL)) {
            try {
                return Optional.of(parser.apply(scalar.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(node, path, e.getMessage());
                return Optional.empty();
            }
        }
        problems.add(node, path, "found " + describe(node) + ", expected " + expected);
        return Optional.empty();
    }

    /** What a node is, for "found ..." messages: {@code a list}, {@code the number 5}, {@code the string 'x'}. */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        String value = ((ScalarNode) node).getValue();
        Tag tag = node.getTag();
        if (tag.equals(Tag.NULL)) {
            return "no value";
        } else if (tag.equals(Tag.BOOL)) {
            return "the boolean " + value;
        } else if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
            return "the number " + value;
        } else if (tag.equals(Tag.STR)) {
            return value.isBlank() ? "an empty string" : "the string '" + shown(value) + "'";
        }
        return "'" + shown(value) + "' tagged " + tag.getValue();
    }

    /** A value fit for a one-line message: control characters escaped, long values cut. */
    static String shown(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && i < MAX_SHOWN; i++) {
            char c = value.charAt(i);
            out.append(c == '\n' ? "\\n" : c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return value.length() > MAX_SHOWN ? out + "..." : out.toString();
    }

    private <T> Optional<T> positive(Optional<T> value, Node node, String path, Predicate<T> test) {
        if (value.isPresent() && !test.test(value.get())) {
            problems.add(node, path, "'" + ((ScalarNode) node).getValue() + "' must be greater than zero");
            return Optional.empty();
        }
        return value;
    }
}
