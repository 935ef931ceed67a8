package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The default {@code routes.yaml} at the top of the project runs out of the box on a laptop. */
class DefaultRoutesFileTest {
    private static final Path FILE = Path.of("../routes.yaml").toAbsolutePath().normalize();

    @Test
    void defaultFileServesLocalhostOnUnprivilegedLoopbackPortsWithAnInternalCertificate() throws Exception {
        PorticoConfig config = new ConfigParser().parse(FILE);

        assertEquals(new InetSocketAddress("127.0.0.1", 8443), config.listen().https(),
                "https must listen on an unprivileged loopback port, so it runs without root");
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 8080)), config.listen().http(),
                "http must listen on an unprivileged loopback port");
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9090)), config.listen().admin(),
                "admin must stay on loopback");
        assertEquals(FILE.getParent().resolve("data"), config.storage(), "storage is ./data next to the file");
        assertEquals("localhost", config.tls().defaultHost().orElseThrow().toString(),
                "handshakes without SNI (https://127.0.0.1:8443) must get the localhost certificate");
        assertTrue(config.acme().isEmpty(), "the default must not talk to a public CA");
        assertEquals(1, config.routes().size(), "one route: the 'Portico is running' page");
        Route route = config.routes().get(0);
        assertEquals("localhost", route.host().toString(), "the route answers localhost");
        assertInstanceOf(CertificateSource.Internal.class, route.certificate(), "localhost gets an internal-CA certificate");
        RouteAction.Respond respond = assertInstanceOf(RouteAction.Respond.class, route.action(), "it answers by itself");
        assertEquals(200, respond.status(), "the page answers 200");
        assertEquals("Portico is running\n", respond.body(), "the page says Portico is running");
        assertEquals(Map.entry("Content-Type", "text/plain; charset=utf-8"), respond.headers().get(0),
                "the page is plain text");
    }

    @Test
    void everyCommentedExampleParsesOnceUncommented() throws Exception {
        // Below the "# Examples" line, an example line is "# " then YAML "key:" (maybe indented, maybe "- ").
        Pattern example = Pattern.compile("# ( *(- )?[a-z_]+:( .*)?)");
        StringBuilder yaml = new StringBuilder();
        boolean inExamples = false;
        for (String line : Files.readAllLines(FILE)) {
            inExamples |= line.startsWith("# Examples");
            Matcher m = example.matcher(line);
            yaml.append(inExamples && m.matches() ? m.group(1) : line).append('\n');
        }
        Path files = FILE.getParent().resolve("app/src/test/resources/config-golden/files");
        String text = yaml.toString().replace("/etc/ssl/intranet/fullchain.pem", files.resolve("chain.pem").toString())
                .replace("/etc/ssl/intranet/privkey.pem", files.resolve("key.pem").toString());

        PorticoConfig config = new ConfigParser().parse(text, "routes.yaml", FILE.getParent());

        assertEquals(4, config.routes().size(), "the three route examples join the localhost route");
        assertTrue(config.acme().isPresent(), "the acme example is a complete acme section");
        assertInstanceOf(CertificateSource.Acme.class, config.routes().get(1).certificate(),
                "with the acme example, the public app.example.com gets an ACME certificate");
        assertInstanceOf(CertificateSource.PemFiles.class, config.routes().get(2).certificate(),
                "the file-certificate example uses its PEM files");
    }
}
