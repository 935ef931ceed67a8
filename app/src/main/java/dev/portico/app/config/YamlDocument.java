package dev.portico.app.config;

import java.io.StringReader;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns YAML text into a SnakeYAML node tree, with positions on every node and no Java object ever
 * constructed. Aliases ({@code *name}) are refused before composing: a node tree with aliases is a
 * graph whose walk can grow exponentially (billion laughs), and a config this size does not need them.
 * Control plane only.
 */
final class YamlDocument {
    /** Far above any sane config, far below what would hurt: SnakeYAML counts code points. */
    static final int MAX_CODE_POINTS = 1 << 20;

    private YamlDocument() {}

    /** The root node, or empty after adding the syntax or alias problems to {@code problems}. */
    static Optional<Node> compose(String text, Problems problems) {
        int before = problems.count();
        try {
            for (Event event : yaml().parse(new StringReader(text))) {
                if (event instanceof AliasEvent alias) {
                    problems.add(problems.at(alias.getStartMark()), "", "alias '*" + alias.getAnchor()
                            + "' is not supported (write the value out; aliases are refused so that a small file"
                            + " cannot expand into a huge one)");
                }
            }
            if (problems.count() > before) {
                return Optional.empty();
            }
            return Optional.ofNullable(yaml().compose(new StringReader(text)));
        } catch (MarkedYAMLException e) {
            String context = e.getContext() == null ? "" : " " + e.getContext();
            problems.add(problems.at(e.getProblemMark()), "", "YAML syntax error: " + e.getProblem() + context);
        } catch (YAMLException e) {
            problems.add(problems.at((Mark) null), "", "YAML error: " + e.getMessage());
        }
        return Optional.empty();
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
        return new Yaml(new SafeConstructor(options));
    }
}
