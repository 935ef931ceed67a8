package dev.portico.app.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * File paths in the config: relative ones resolve against the config file's directory, so a config
 * means the same whatever the working directory. Control plane only (touches the file system).
 */
final class ConfigFiles {
    private final NodeReader reader;
    private final Path baseDir;

    ConfigFiles(NodeReader reader, Path baseDir) {
        this.reader = reader;
        this.baseDir = baseDir;
    }

    /** The path written at {@code node}, resolved; it need not exist. */
    Optional<Path> path(Node node, String path) {
        return reader.string(node, path, "a file path").flatMap(text -> {
            try {
                return Optional.of(baseDir.resolve(text.strip()).normalize());
            } catch (InvalidPathException e) {
                reader.problems().add(node, path, "'" + NodeReader.shown(text) + "' is not a valid path (" + e.getReason() + ")");
                return Optional.empty();
            }
        });
    }

    /** The path written at {@code node}, resolved, which must be a readable regular file. */
    Optional<Path> existing(Node node, String path) {
        Optional<Path> file = path(node, path);
        if (file.isPresent() && !(Files.isRegularFile(file.get()) && Files.isReadable(file.get()))) {
            String why = Files.isDirectory(file.get()) ? "is a directory, expected a file"
                    : Files.exists(file.get()) ? "cannot be read" : "does not exist";
            reader.problems().add(node, path, "file " + file.get() + " " + why
                    + " (relative paths resolve against the config file's directory)");
            return Optional.empty();
        }
        return file;
    }
}
