package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The parser's public contract beyond what the golden files pin: files, ordering, secrets, hostile input. */
class ConfigParserTest {
    private final ConfigParser parser = new ConfigParser();

    @Test
    void relativePathsResolveAgainstTheConfigFilesDirectoryNotTheWorkingDirectory(@TempDir Path dir) throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc/portico"));
        Files.createDirectories(etc.resolve("certs"));
        Files.writeString(etc.resolve("certs/chain.pem"), "placeholder");
        Files.writeString(etc.resolve("certs/key.pem"), "placeholder");
        Files.writeString(etc.resolve("routes.yaml"), """
                storage: state
                routes:
                  - host: app.test
                    tls: { cert: certs/chain.pem, key: ./certs/../certs/key.pem }
                    proxy: http://127.0.0.1:3000
                """);

        PorticoConfig config = parser.parse(etc.resolve("routes.yaml"));

        assertEquals(etc.resolve("state"), config.storage(), "storage resolves next to the config file");
        CertificateSource.PemFiles pem = assertInstanceOf(CertificateSource.PemFiles.class, config.routes().get(0).certificate(),
                "the route names PEM files");
        assertEquals(etc.resolve("certs/chain.pem"), pem.certificateChain(), "cert resolves next to the config file");
        assertEquals(etc.resolve("certs/key.pem"), pem.privateKey(), "key resolves next to the config file, normalized");
    }

    @Test
    void problemsAreAllReportedSortedByLineThenColumnOnePerMessageLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse("""
                routes:
                  - host: b.test
                    proxy: http://127.0.0.1:3000
                    timeouts: { idle: 5x, connect: 5y }
                  - host: a.test
                    prxy: http://127.0.0.1:3000
                limits: { header_timeout: 0s }
                """, "routes.yaml", Path.of(".")), "four problems must fail the parse");

        List<ConfigProblem> problems = e.problems();
        assertEquals(4, problems.size(), "every problem is reported, not just the first: " + e.getMessage());
        assertEquals(problems.stream().sorted(Comparator.comparingInt((ConfigProblem p) -> p.origin().line())
                .thenComparingInt(p -> p.origin().column())).toList(), problems, "problems are sorted by line then column");
        assertEquals(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")), e.getMessage(),
                "the message is the problems, one per line");
        assertEquals("routes.yaml:4:23: routes[0].timeouts.idle: '5x' is not a duration (expected e.g. 500ms, 5s, 2m)",
                problems.get(0).toString(), "file:line:column: path: message");
        assertEquals(new Origin("routes.yaml", 4, 36), problems.get(1).origin(), "columns are 1-based");
        assertEquals("routes[0].timeouts.connect", problems.get(1).path(), "the path names the value in the document");
    }

    @Test
    void secretsNeverAppearInAnyMessage() {
        String hmac = "hmac+SECRET/value";
        String password = "p4ssw0rd-SECRET";
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse("""
                acme:
                  email: ops@example.com
                  agree_to_terms: true
                  eab: { key_id: kid, hmac: "%s" }
                routes:
                  - host: a.test
                    tls: { pkcs12: missing.p12, password: [%s] }
                    respond: {}
                  - host: b.test
                    tls: { cert: missing.pem, key: missing.key, password: %s }
                    respond: {}
                """.formatted(hmac, password, password), "routes.yaml", Path.of(".")), "the hmac and files are invalid");

        assertTrue(e.getMessage().contains("acme.eab.hmac"), "the hmac problem is reported: " + e.getMessage());
        assertTrue(e.getMessage().contains("routes[0].tls.password"), "the password problem is reported: " + e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), "no secret may be echoed: " + e.getMessage());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void aBillionLaughsDocumentIsRefusedWithoutExpandingIt() {
        StringBuilder yaml = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= 12; i++) {
            String previous = "*l" + (i - 1);
            yaml.append("l").append(i).append(": &l").append(i).append(" [")
                    .append(String.join(", ", Collections.nCopies(10, previous))).append("]\n");
        }
        yaml.append("routes: *l12\n");

        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(yaml.toString(), "laughs.yaml", Path.of(".")),
                "aliases are refused");
        assertEquals(13, e.problems().size(), "one problem per alias name, at its first use: " + e.getMessage());
        assertTrue(e.problems().stream().allMatch(p -> p.message().startsWith("alias '*l")), "every problem is about an alias");
    }

    @Test
    void byteOrderMarkAndCrlfLineEndingsKeepPositionsRight(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.write(file, "\uFEFFroutes:\r\n  - host: localhost\r\n    respnd: {}\r\n".getBytes(StandardCharsets.UTF_8));

        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(file), "respnd is a typo");

        assertEquals(new Origin(file.toString(), 3, 5), e.problems().get(0).origin(),
                "a BOM and CRLF endings must not shift lines or columns: " + e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsOneProblem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.write(file, new byte[] {'r', 'o', 'u', 't', 'e', 's', ':', ' ', (byte) 0xC3, (byte) 0x28});

        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(file), "invalid UTF-8 is refused");

        assertEquals(file + ":1:1: the file is not valid UTF-8", e.getMessage(),
                "the problem names the file as given and says what is wrong");
    }

    @Test
    void aMissingFileIsOneProblemNamingIt(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(dir.resolve("nope.yaml")),
                "a missing file cannot be parsed");

        assertTrue(e.getMessage().startsWith(dir.resolve("nope.yaml") + ":1:1: cannot read " + dir.resolve("nope.yaml")),
                "the problem names the absolute path: " + e.getMessage());
    }
}
