package dev.portico.app.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping whose keys were checked on the way in: strings only, no duplicates (an error, not
 * last-wins), and, when the section has a fixed schema, only known keys (with a did-you-mean).
 * Entries keep their order. Single-threaded.
 */
final class YamlMapping {
    private final MappingNode node;
    private final String path;
    private final Map<String, NodeTuple> entries;
    private final List<String> unknownKeys;

    private YamlMapping(MappingNode node, String path, Map<String, NodeTuple> entries, List<String> unknownKeys) {
        this.node = node;
        this.path = path;
        this.entries = entries;
        this.unknownKeys = List.copyOf(unknownKeys);
    }

    /**
     * Reads {@code node} as a mapping whose keys must be among {@code allowed} (any string key when
     * {@code allowed} is empty). Bad keys are reported and skipped; the rest is still read.
     */
    static Optional<YamlMapping> read(Node node, String path, List<String> allowed, Problems problems) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(node, path, "found " + NodeReader.describe(node) + ", expected a mapping"
                    + (allowed.isEmpty() ? "" : " with keys " + String.join(", ", allowed)));
            return Optional.empty();
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || !keyNode.getTag().equals(Tag.STR)) {
                problems.add(keyNode, path, keyProblem(keyNode));
                continue;
            }
            String key = scalar.getValue();
            NodeTuple first = entries.get(key);
            if (first != null) {
                problems.add(keyNode, path, "duplicate key '" + key + "' (first at line "
                        + problems.at(first.getKeyNode()).line() + "; YAML keys must be unique)");
            } else if (!allowed.isEmpty() && !allowed.contains(key)) {
                problems.add(keyNode, path, "unknown key '" + key + "' (expected one of: "
                        + String.join(", ", allowed) + Suggestion.hint(key, allowed) + ")");
                unknown.add(key);
            } else {
                entries.put(key, tuple);
            }
        }
        return Optional.of(new YamlMapping(mapping, path, entries, unknown));
    }

    Node node() {
        return node;
    }

    /** The value of {@code key}, when present. */
    Optional<Node> value(String key) {
        return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
    }

    /** The value of {@code key}; when absent, reports {@code "missing required key"} and the reason. */
    Optional<Node> required(String key, String why, Problems problems) {
        Optional<Node> value = value(key);
        if (value.isEmpty()) {
            problems.add(node, path, "missing required key '" + key + "' (" + why + ")");
        }
        return value;
    }

    /** The unknown keys that were reported, so a caller can avoid a second problem for the same typo. */
    List<String> unknownKeys() {
        return unknownKeys;
    }

    Node keyNode(String key) {
        return entries.get(key).getKeyNode();
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Collection<String> keys() {
        return entries.keySet();
    }

    /** The document path of {@code key} in this mapping: {@code routes[0].timeouts}. */
    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String path() {
        return path;
    }

    private static String keyProblem(Node keyNode) {
        if (keyNode.getTag().equals(Tag.MERGE)) {
            return "merge keys (<<) are not supported (write the keys out)";
        }
        if (keyNode.getTag().equals(Tag.NULL)) {
            return "found an empty key, expected a name";
        }
        if (keyNode instanceof ScalarNode scalar) {
            return "key " + scalar.getValue() + " is not a string (found " + NodeReader.describe(keyNode)
                    + "; quote it if it is meant as a name)";
        }
        return "found " + NodeReader.describe(keyNode) + " as a key, expected a string";
    }
}
