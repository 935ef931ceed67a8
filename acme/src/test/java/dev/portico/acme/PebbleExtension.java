package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import dev.portico.tls.testing.Await;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a real Pebble (Debian's {@code /usr/bin/pebble} 2.4) for one test class, all on loopback:
 * free ports, config and a freshly made API CA + {@code localhost} certificate in a temp dir, an
 * in-JVM {@link DnsStub} resolving every name to 127.0.0.1, and a {@link ChallengeResponder} whose
 * port is Pebble's {@code httpPort}. Env {@code PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0
 * PEBBLE_AUTHZREUSE=0} unless a test restarts it with others. Pebble's output goes to
 * {@code pebble.log} in the temp dir. See /work/shared/testing/PEBBLE.md.
 *
 * <p>Register as {@code @RegisterExtension static final PebbleExtension PEBBLE = new PebbleExtension();}.
 */
public final class PebbleExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Duration START_DEADLINE = Duration.ofSeconds(15);

    private final long validitySeconds;
    private final Map<String, String> eabKeys;
    private int externalHttpPort;
    private final Http01Challenges challenges = new Http01Challenges();
    private Path dir;
    private DnsStub dns;
    private ChallengeResponder responder;
    private int acmePort;
    private int mgmtPort;
    private Path caBundle;
    private HttpClient mgmtClient;
    private Process process;
    private Path log;

    public PebbleExtension() {
        this(0);
    }

    /**
     * A Pebble that validates HTTP-01 challenges against {@code httpPort} on 127.0.0.1 (the port-80
     * listener of a Portico under test) instead of this extension's own responder.
     */
    public static PebbleExtension validatingOn(int httpPort) {
        return validatingOn(httpPort, 0);
    }

    /** As {@link #validatingOn(int)}, issuing certificates valid for {@code validitySeconds} (0: 5 years). */
    public static PebbleExtension validatingOn(int httpPort, long validitySeconds) {
        PebbleExtension pebble = new PebbleExtension(validitySeconds);
        pebble.externalHttpPort = httpPort;
        return pebble;
    }

    /** With {@code certificateValidityPeriod} in seconds (0: Pebble's default of 5 years). */
    PebbleExtension(long validitySeconds) {
        this(validitySeconds, Map.of());
    }

    /**
     * With {@code eabKeys} (key id → base64url HMAC key) Pebble requires external account binding
     * ({@code externalAccountBindingRequired}).
     */
    PebbleExtension(long validitySeconds, Map<String, String> eabKeys) {
        this.validitySeconds = validitySeconds;
        this.eabKeys = Map.copyOf(eabKeys);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        AcmeDirectory.registerBouncyCastle();
        dir = Files.createTempDirectory("pebble-");
        log = dir.resolve("pebble.log");
        dns = new DnsStub();
        if (externalHttpPort == 0) {
            responder = new ChallengeResponder(challenges);
        }
        acmePort = freePort();
        mgmtPort = freePort();
        writeApiCertificate();
        writeConfig();
        start(Map.of());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            stop();
        } finally {
            if (responder != null) {
                responder.close();
            }
            dns.close();
        }
    }

    /** The directory as the app configures it. */
    public String directory() {
        return "acme://pebble/localhost:" + acmePort;
    }

    /** Options for this Pebble: trusts the API CA, short timeouts and polls so tests take seconds. */
    AcmeOptions options() {
        return AcmeOptions.of(directory(), "ops@portico.test", true).withCaBundle(caBundle)
                .withTimeouts(Duration.ofSeconds(3), Duration.ofMillis(20), Duration.ofSeconds(20));
    }

    /** The PEM file of the CA that signed Pebble's API certificate: the app's {@code acme.ca_bundle}. */
    public Path caBundle() {
        return caBundle;
    }

    Http01Challenges challenges() {
        return challenges;
    }

    /** While true the responder answers every challenge with 404. */
    void failChallenges(boolean failing) {
        responder.failing = failing;
    }

    /** (Re)starts Pebble on the same ports with {@code env} on top of the test defaults; waits for /dir. */
    public void start(Map<String, String> env) throws Exception {
        if (process != null && process.isAlive()) {
            fail("pebble already running");
        }
        ProcessBuilder pb = new ProcessBuilder("pebble", "-config", dir.resolve("pebble-config.json").toString(),
                "-dnsserver", "127.0.0.1:" + dns.port(), "-strict")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> e = pb.environment();
        e.put("PEBBLE_VA_NOSLEEP", "1");
        e.put("PEBBLE_WFE_NONCEREJECT", "0");
        e.put("PEBBLE_AUTHZREUSE", "0");
        e.putAll(env);
        long t0 = System.nanoTime();
        process = pb.start();
        awaitDirectory();
        System.out.printf("pebble pid %d answers /dir after %d ms (env %s)%n", process.pid(),
                (System.nanoTime() - t0) / 1_000_000, env);
    }

    /** Starts Pebble with the test defaults unless it is running (cleanup after a test that stopped it). */
    void startIfStopped() throws Exception {
        if (process == null || !process.isAlive()) {
            start(Map.of());
        }
    }

    /** Stops Pebble (SIGTERM) and waits for it to exit; the ports then refuse connections. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGSTOP: Pebble keeps its sockets but answers nothing (a hung CA). Always {@link #resume()} in finally. */
    public void suspend() throws Exception {
        signal("-STOP");
    }

    public void resume() throws Exception {
        signal("-CONT");
    }

    /** Pebble's current root (a new one on every start), from the management API. */
    public X509Certificate root() throws Exception {
        HttpResponse<byte[]> r = mgmtClient.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + mgmtPort + "/roots/0")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            fail("/roots/0 answered " + r.statusCode());
        }
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(r.body()));
    }

    /** How many times Pebble logged a request to {@code path} (e.g. "/sign-me-up" for newAccount). */
    public long requests(String method, String path) throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(method + " " + path)).count();
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill " + signal + " " + process.pid() + " failed");
        }
    }

    private void awaitDirectory() throws Exception {
        HttpRequest dirRequest = HttpRequest.newBuilder(URI.create("https://localhost:" + acmePort + "/dir"))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            Await.until(START_DEADLINE, "pebble answers /dir", () -> {
                if (!process.isAlive()) {
                    fail("pebble exited with " + process.exitValue() + ":\n" + logTail());
                }
                try {
                    return mgmtClient.send(dirRequest, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException notYet) {
                    return false; // Pebble logs "Listening" before it binds (PEBBLE.md pitfall 4): poll.
                }
            });
        } catch (AssertionError e) {
            fail(e.getMessage() + ":\n" + logTail());
        }
    }

    private void writeApiCertificate() throws Exception {
        Instant now = Instant.now();
        X509Bundle ca = new CertificateBuilder().subject("CN=Pebble API test CA").setIsCertificateAuthority(true)
                .ecp256().notBefore(now.minus(Duration.ofHours(1))).notAfter(now.plus(Duration.ofDays(2))).buildSelfSigned();
        X509Bundle api = new CertificateBuilder().subject("CN=localhost").ecp256()
                .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").addSanIpAddress("::1")
                .addExtendedKeyUsageServerAuth()
                .notBefore(now.minus(Duration.ofHours(1))).notAfter(now.plus(Duration.ofDays(2))).buildIssuedBy(ca);
        caBundle = dir.resolve("ca.pem");
        Files.writeString(caBundle, ca.getCertificatePEM());
        Files.writeString(dir.resolve("cert.pem"), api.getCertificatePEM());
        Files.writeString(dir.resolve("key.pem"), api.getPrivateKeyPEM());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        mgmtClient = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
    }

    private void writeConfig() throws IOException {
        String json = """
                { "pebble": {
                    "listenAddress": "127.0.0.1:%d",
                    "managementListenAddress": "127.0.0.1:%d",
                    "certificate": "%s",
                    "privateKey": "%s",
                    "httpPort": %d,
                    "tlsPort": 0,
                    "certificateValidityPeriod": %d,
                    "externalAccountBindingRequired": %b,
                    "externalAccountMACKeys": {%s}
                } }
                """.formatted(acmePort, mgmtPort, dir.resolve("cert.pem"), dir.resolve("key.pem"), externalHttpPort > 0 ? externalHttpPort : responder.port(),
                validitySeconds, !eabKeys.isEmpty(), eabKeys.entrySet().stream()
                        .map(e -> "\"" + e.getKey() + "\": \"" + e.getValue() + "\"").collect(java.util.stream.Collectors.joining(", ")));
        Files.writeString(dir.resolve("pebble-config.json"), json);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
