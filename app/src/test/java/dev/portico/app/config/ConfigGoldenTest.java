package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the config language with golden files (STYLE rule 30). Each
 * {@code src/test/resources/config-golden/*.yaml} is a YAML input, then the line
 * {@value #SEPARATOR} (a YAML comment, so it can never change what the input means), then what
 * {@link ConfigParser} must produce: the {@link ConfigDump} of the model, or the exact error lines.
 * Relative paths in the inputs resolve against that directory (placeholder files live in
 * {@code files/}); in expected errors the directory's absolute path is written {@code ${dir}}.
 *
 * <p>To add a case, write the input alone and run with {@code -Dgolden.update=true}: every file's
 * expected section is rewritten from the current output; review the diff before committing.
 * <pre>
 * mvn -B -o -q -pl app -am test -Dtest='ConfigGoldenTest' -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.update=true
 * </pre>
 */
class ConfigGoldenTest {
    static final String SEPARATOR = "# ---- expected ----";
    private static final Path DIR = Path.of("src/test/resources/config-golden").toAbsolutePath();
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesToTheExpectedModelOrExactlyTheExpectedErrors(String name) throws IOException {
        Path file = DIR.resolve(name);
        String content = Files.readString(file);
        int at = content.indexOf("\n" + SEPARATOR + "\n");
        String input = at < 0 ? content : content.substring(0, at + 1);
        String actual = render(input, file.getFileName().toString());
        if (UPDATE) {
            Files.writeString(file, input + SEPARATOR + "\n" + actual);
            return;
        }
        assertTrue(at >= 0, file.getFileName() + " has no '" + SEPARATOR + "' line: run with -Dgolden.update=true");
        String expected = content.substring(at + SEPARATOR.length() + 2);
        assertEquals(expected, actual, file.getFileName() + ": the parser's output must match the golden expectation"
                + " (if the change is intended, regenerate with -Dgolden.update=true and review the diff)");
    }

    @Test
    void thereAreEnoughGoldenCasesToCoverTheLanguage() throws IOException {
        List<String> all = cases().toList();
        assertTrue(all.size() >= 25, "the config rules are pinned by at least 25 golden cases; found " + all.size());
    }

    /** The dump when the input parses, else the error lines; both end with a newline. */
    static String render(String input, String fileName) {
        try {
            return ConfigDump.render(new ConfigParser().parse(input, fileName, DIR), DIR);
        } catch (ConfigException e) {
            return e.getMessage().replace(DIR.toString(), "${dir}") + "\n";
        }
    }
}
