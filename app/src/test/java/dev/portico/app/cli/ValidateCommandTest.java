package dev.portico.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aValidFileExitsZeroAndSaysOk() throws Exception {
        Path file = write("routes:\n  - host: localhost\n    respond: { status: 200, body: hi }\n");

        int status = run("validate", "--config", file.toString());

        assertEquals(0, status, "a valid config exits 0; stderr: " + text(err));
        assertTrue(text(out).contains("OK (1 routes)"), "it says the file is fine: " + text(out));
    }

    @Test
    void anInvalidFileExitsOneWithFileLineColumnForEveryProblem() throws Exception {
        Path file = write("""
                routes:
                  - host: localhost
                    prxy: http://127.0.0.1:3000
                  - host: app.test
                    proxy: http://127.0.0.1:3000
                    timeouts: { connect: 5x }
                """);

        int status = run("validate", "--config", file.toString());

        String[] lines = text(err).strip().split("\n");
        assertEquals(1, status, "an invalid config exits 1");
        assertTrue(lines.length >= 2, "both problems are reported at once: " + text(err));
        assertTrue(lines[0].startsWith(file + ":3:5: routes[0]: unknown key 'prxy'") && lines[0].contains("did you mean 'proxy'"),
                "first problem, by line, with position and suggestion: " + lines[0]);
        assertTrue(lines[1].startsWith(file + ":6:26: routes[1].timeouts.connect: '5x' is not a duration"),
                "second problem with its exact position: " + lines[1]);
    }

    @Test
    void noCommandPrintsUsageAndExitsTwo() {
        assertEquals(2, run(), "running portico without a command is a usage error");
        assertTrue(text(out).contains("validate") && text(out).contains("run"), "usage lists the commands: " + text(out));
    }

    private int run(String... args) {
        return PorticoCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
