package dev.portico.app.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the problems of one parse, so that all of them are reported at once. Single-threaded. */
final class Problems {
    private static final Comparator<ConfigProblem> BY_POSITION = Comparator
            .comparingInt((ConfigProblem p) -> p.origin().line())
            .thenComparingInt(p -> p.origin().column());

    private final String file;
    private final List<ConfigProblem> list = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    /** The 1-based position where {@code node} starts. */
    Origin at(Node node) {
        return at(node.getStartMark());
    }

    Origin at(Mark mark) {
        return mark == null ? new Origin(file, 1, 1) : new Origin(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    void add(Node node, String path, String message) {
        add(at(node), path, message);
    }

    void add(Origin origin, String path, String message) {
        list.add(new ConfigProblem(origin, path, message));
    }

    int count() {
        return list.size();
    }

    /** Throws every problem collected so far, sorted by line then column; returns when there is none. */
    void throwIfAny() throws ConfigException {
        if (!list.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(list);
            sorted.sort(BY_POSITION);
            throw new ConfigException(sorted);
        }
    }
}
