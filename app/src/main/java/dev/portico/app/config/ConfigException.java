package dev.portico.app.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file that cannot be used, with every problem found in it, sorted by line then column.
 * The message is those problems, one per line.
 */
public final class ConfigException extends Exception {
    private final transient List<ConfigProblem> problems;

    ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: empty (expected at least one)");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem, sorted by line then column. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
