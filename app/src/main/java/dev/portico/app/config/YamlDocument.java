package dev.portico.app.config;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns YAML text into a SnakeYAML node tree, with positions on every node and no Java object ever
 * constructed. Aliases ({@code *name}) are refused before composing: a node tree with aliases is a
 * graph whose walk can grow exponentially (billion laughs), and a config this size does not need them.
 * Control plane only.
 */
final class YamlDocument {
    /** Far above any sane config, far below what would hurt: SnakeYAML counts code points. */
    static final int MAX_CODE_POINTS = 1 << 20;
    private static final Set<Tag> PLAIN_TAGS =
            Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.TIMESTAMP, Tag.SEQ, Tag.MAP, Tag.MERGE);
    /** {@code admin: [::1]:9090} unquoted: YAML reads a flow list, then fails at the colon. */
    private static final Pattern UNQUOTED_IPV6 = Pattern.compile(":\\s+\\[[0-9a-fA-F:.]*]:\\d");

    private YamlDocument() {}

    /** The root node, or empty after adding the syntax or alias problems to {@code problems}. */
    static Optional<Node> compose(String text, Problems problems) {
        Map<String, Integer> aliases = new LinkedHashMap<>();
        try {
            for (Event event : yaml().parse(new StringReader(text))) {
                if (event instanceof AliasEvent alias && aliases.merge(alias.getAnchor(), 1, Integer::sum) == 1) {
                    problems.add(problems.at(alias.getStartMark()), "", "alias '*" + alias.getAnchor()
                            + "' is not supported (write the value out; aliases are refused so that a small file"
                            + " cannot expand into a huge one)");
                }
            }
            if (!aliases.isEmpty()) {
                return Optional.empty();
            }
            Node root = yaml().compose(new StringReader(text));
            int before = problems.count();
            if (root != null) {
                checkTags(root, problems);
            }
            return problems.count() > before ? Optional.empty() : Optional.ofNullable(root);
        } catch (MarkedYAMLException e) {
            problems.add(problems.at(e.getProblemMark()), "", syntaxMessage(e, text));
        } catch (YAMLException e) {
            problems.add(problems.at((Mark) null), "", "YAML error: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Explicit tags name types; Portico knows only plain YAML values, so any other tag is refused. */
    private static void checkTags(Node node, Problems problems) {
        if (!PLAIN_TAGS.contains(node.getTag())) {
            String tag = node.getTag().getValue().replace(Tag.PREFIX, "!!");
            problems.add(node, "", "tag " + tag + " is not supported (expected plain YAML values; nothing is ever"
                    + " constructed from a tag)");
        }
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                checkTags(tuple.getKeyNode(), problems);
                checkTags(tuple.getValueNode(), problems);
            }
        } else if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                checkTags(item, problems);
            }
        }
    }

    private static String syntaxMessage(MarkedYAMLException e, String text) {
        String problem = e.getProblem() == null ? "" : e.getProblem().strip();
        String context = e.getContext() == null ? "" : e.getContext().strip();
        if (context.startsWith("expected a single document")) {
            return "found a second document (expected one document per file)";
        }
        StringBuilder message = new StringBuilder("YAML syntax error: ").append(problem);
        Mark start = e.getContextMark();
        if (!context.isEmpty()) {
            message.append(" (").append(context);
            if (start != null && e.getProblemMark() != null && start.getLine() != e.getProblemMark().getLine()) {
                message.append(" that started at line ").append(start.getLine() + 1);
            }
            message.append(')');
        }
        Mark at = e.getProblemMark();
        String[] lines = text.split("\n", -1);
        if (at != null && at.getLine() < lines.length && UNQUOTED_IPV6.matcher(lines[at.getLine()]).find()) {
            message.append("; quote IPv6 addresses: \"[::1]:8443\"");
        }
        return message.toString();
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(0);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(20);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setMergeOnCompose(false);
        options.setProcessComments(false);
        // Composing builds nodes, never objects, so any tag is safe to read; checkTags then refuses the unknown ones.
        options.setTagInspector(tag -> true);
        return new Yaml(new SafeConstructor(options));
    }
}
