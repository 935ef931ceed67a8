package dev.portico.app.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.Listen;
import dev.portico.app.config.PorticoConfig;
import dev.portico.app.server.Portico;
import dev.portico.tls.testing.Await;
import dev.portico.tls.testing.TlsTestClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The admin listener's {@code /metrics} and the JSON access log, driven by real HTTPS requests. */
class MetricsAndAccessLogTest {
    /** One sample line of the Prometheus text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");

    @TempDir
    Path dir;

    private Portico portico;
    private final ListAppender<ILoggingEvent> accessLines = new ListAppender<>();
    private final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);

    @BeforeEach
    void captureAccessLog() {
        accessLines.start();
        accessLogger.addAppender(accessLines);
    }

    @AfterEach
    void stop() {
        accessLogger.detachAppender(accessLines);
        if (portico != null) {
            portico.close();
        }
    }

    @Test
    void metricsParseAsPrometheusTextAndRequestCountersMoveWithTraffic() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());
        Map<String, Double> before = scrape();

        HttpClient client = HttpClient.newBuilder().sslContext(TlsTestClient.trustAllContext()).build();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, client.send(request("/"), HttpResponse.BodyHandlers.discarding()).statusCode(), "served");
        }
        assertEquals(404, client.send(request("/nothing-here/x"), HttpResponse.BodyHandlers.discarding()).statusCode(),
                "the route answers 404 itself");
        Map<String, Double> after = scrape();

        String ok = "portico_requests_total{code=\"2xx\",route=\"localhost/\"}";
        String notFound = "portico_requests_total{code=\"4xx\",route=\"localhost/nothing-here\"}";
        assertEquals(3.0, after.getOrDefault(ok, 0.0) - before.getOrDefault(ok, 0.0), "three 2xx answers counted for the route");
        assertEquals(1.0, after.getOrDefault(notFound, 0.0) - before.getOrDefault(notFound, 0.0), "one 4xx answer counted");
        assertEquals(4.0, after.get("portico_request_duration_seconds_count{route=\"localhost/\"}")
                + after.get("portico_request_duration_seconds_count{route=\"localhost/nothing-here\"}"),
                "every request lands in the latency histogram");
        assertTrue(after.getOrDefault("portico_tls_handshakes_total{reason=\"none\",result=\"ok\"}", 0.0) >= 1,
                "the handshake is counted: " + after.keySet());
        assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("portico_certificate_not_after_seconds{name=\"localhost\"")),
                "the certificate expiry gauge names localhost");
        Await.until(Duration.ofSeconds(5), "the in-flight gauge returns to 0 once the answers are in",
                () -> scrape().get("portico_inflight_requests") == 0.0);
    }

    @Test
    void eachRequestWritesOneJsonAccessLogLineWithoutTheQueryString() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());
        HttpClient client = HttpClient.newBuilder().sslContext(TlsTestClient.trustAllContext()).build();

        client.send(request("/?token=secret"), HttpResponse.BodyHandlers.discarding());
        Await.until(Duration.ofSeconds(5), "the access line is written", () -> !accessLines.list.isEmpty());

        String line = accessLines.list.get(0).getFormattedMessage();
        assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), "one JSON object: " + line);
        assertTrue(line.contains("\"method\":\"GET\"") && line.contains("\"path\":\"/\"") && line.contains("\"status\":200")
                && line.contains("\"host\":\"localhost:") && line.contains("\"route\":\"localhost/\"")
                && line.contains("\"tls\":\"TLSv1.3\"") && line.contains("\"client\":\"127.0.0.1\""),
                "the fields an operator needs: " + line);
        assertTrue(!line.contains("secret"), "the query string (tokens) is never logged: " + line);
    }

    @Test
    void requestsRefusedForTheirFramingAreCountedAndLoggedToo() throws Exception {
        portico = Portico.start(config(), Clock.systemUTC());
        Map<String, Double> before = scrape();

        String conflicting = "GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
        String badMethod = "G@T / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        List<Integer> bodyBytes = new java.util.ArrayList<>();
        for (String request : List.of(conflicting, badMethod)) {
            try (SSLSocket socket = TlsTestClient.connect(TlsTestClient.trustAllContext(),
                    portico.httpsAddress().getPort(), "localhost", "TLSv1.3")) {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 400 "), "refused by the framing check: " + answer);
                bodyBytes.add(answer.length() - answer.indexOf("\r\n\r\n") - 4);
            }
        }

        Await.until(Duration.ofSeconds(5), "both refusals are logged", () -> accessLines.list.size() == 2);
        List<String> lines = accessLines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.get(0).contains("\"method\":\"GET\"") && lines.get(0).contains("\"path\":\"-\"")
                && lines.get(0).contains("\"status\":400") && lines.get(0).contains("\"route\":\"none\"")
                && lines.get(0).contains("\"client\":\"127.0.0.1\""), "the method is known, the request was not routed: " + lines.get(0));
        assertTrue(lines.get(1).contains("\"method\":\"-\"") && lines.get(1).contains("\"status\":400"),
                "a method that is not a token is not logged: " + lines.get(1));
        for (int i = 0; i < 2; i++) {
            assertTrue(bodyBytes.get(i) > 0 && lines.get(i).contains("\"bytes\":" + bodyBytes.get(i) + ","),
                    "the refusal's body bytes, as for any response (" + bodyBytes.get(i) + "): " + lines.get(i));
        }
        String refused = "portico_requests_total{code=\"4xx\",route=\"none\"}";
        assertEquals(2.0, scrape().getOrDefault(refused, 0.0) - before.getOrDefault(refused, 0.0),
                "both refusals counted as 4xx answers without a route");
    }

    private Map<String, Double> scrape() throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + portico.adminAddress().orElseThrow().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                assertTrue(line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE "), "comment lines are HELP/TYPE: " + line);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "every sample line is valid Prometheus text: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + portico.httpsAddress().getPort() + path))
                .timeout(Duration.ofSeconds(10)).build();
    }

    private PorticoConfig config() throws Exception {
        PorticoConfig parsed = new ConfigParser().parse("""
                tls: { default: localhost }
                routes:
                  - host: localhost
                    respond: { status: 200, body: ok }
                  - host: localhost
                    path: /nothing-here
                    respond: { status: 404, body: none }
                """, "routes.yaml", dir);
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        return new PorticoConfig(new Listen(any, Optional.empty(), Optional.of(any)), parsed.storage(), parsed.tls(),
                parsed.acme(), parsed.trustedProxies(), parsed.limits(), List.copyOf(parsed.routes()));
    }
}
