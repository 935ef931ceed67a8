package dev.portico.app.config;

import java.util.Objects;

/**
 * One thing wrong with a config file: where it is, which value it concerns, and what was found
 * against what was expected.
 *
 * @param origin file, line and column (1-based) of the offending node
 * @param path where the value sits in the document, such as {@code routes[1].timeouts.connect};
 *     empty for the document itself
 * @param message what was found and what was expected; never contains a secret
 */
public record ConfigProblem(Origin origin, String path, String message) {
    public ConfigProblem {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code routes.yaml:12:7: routes[1]: unknown key 'prxy' (...)}: the line an operator reads. */
    @Override
    public String toString() {
        return path.isEmpty() ? origin + ": " + message : origin + ": " + path + ": " + message;
    }
}
