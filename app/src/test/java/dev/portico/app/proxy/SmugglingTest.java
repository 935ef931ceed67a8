package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling and malformed requests (RFC 9112 6.3 and 11), sent as raw bytes over TLS through
 * the real pipeline: each is answered with its status, {@code Connection: close}, and the connection
 * closes; the recording backend proves no byte of any of them reached it.
 */
@Timeout(30)
class SmugglingTest {
    private static final String H = "Host: a.test\r\n";
    static RecordingBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RecordingBackend.answering(RecordingBackend.OK);
        RouteOptions small = new RouteOptions(1000, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.REDIRECT, Optional.empty());
        ServerLimits limits = new ServerLimits(1024, 2048, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1));
        proxy = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", "/", small, backend.port())), limits, List.of(), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("CL and TE together", 400, "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE and CL together", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
                Arguments.of("differing CL list", 400, "POST / HTTP/1.1\r\n" + H + "Content-Length: 5, 6\r\n\r\nhello!"),
                Arguments.of("two CL fields", 400, "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("signed CL", 400, "POST / HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\nhello"),
                Arguments.of("hex CL", 400, "POST / HTTP/1.1\r\n" + H + "Content-Length: 0x10\r\n\r\n0123456789abcdef"),
                Arguments.of("CL with inner space", 400, "POST / HTTP/1.1\r\n" + H + "Content-Length: 1 2\r\n\r\n0123456789ab"),
                Arguments.of("chunked not final", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
                Arguments.of("xchunked", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunked with parameter", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n"),
                Arguments.of("gzip alone", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\nxx"),
                Arguments.of("unknown coding before chunked", 501, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE on HTTP/1.0", 400, "POST / HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("negative chunk size", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n"),
                Arguments.of("0x chunk size", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0x10\r\n0123456789abcdef\r\n0\r\n\r\n"),
                Arguments.of("overflowing chunk size", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nx\r\n0\r\n\r\n"),
                Arguments.of("garbage after chunk size", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("space inside chunk size", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1 0\r\n0123456789abcdef\r\n0\r\n\r\n"),
                Arguments.of("missing CRLF after chunk data", 400, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n"),
                Arguments.of("bare LF line ends", 400, "GET / HTTP/1.1\nHost: a.test\n\n"),
                Arguments.of("bare LF after a field", 400, "GET / HTTP/1.1\r\nHost: a.test\nX: y\r\n\r\n"),
                Arguments.of("bare CR", 400, "GET / HTTP/1.1\r\nHost: a.test\rX: y\r\n\r\n"),
                Arguments.of("obs-fold", 400, "GET / HTTP/1.1\r\n" + H + "X-Long: a\r\n b\r\n\r\n"),
                Arguments.of("NUL in a value", 400, "GET / HTTP/1.1\r\n" + H + "X: a\0b\r\n\r\n"),
                Arguments.of("control character in a value", 400, "GET / HTTP/1.1\r\n" + H + "X: a\u0001b\r\n\r\n"),
                Arguments.of("space before colon", 400, "GET / HTTP/1.1\r\nHost : a.test\r\n\r\n"),
                Arguments.of("empty field name", 400, "GET / HTTP/1.1\r\n" + H + ": x\r\n\r\n"),
                Arguments.of("invalid method character", 400, "G(T / HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("DEL in target", 400, "GET /a\u007F HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("double space in request line", 400, "GET  / HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("absolute-form to an unrouted host", 400, "GET http://evil.test/ HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("dot-segment escaping a prefix", 400, "GET /public/../admin HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("encoded dot-segment", 400, "GET /public/%2e%2E/admin HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("CONNECT", 405, "CONNECT a.test:443 HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("two Host fields", 400, "GET / HTTP/1.1\r\n" + H + H + "\r\n"),
                Arguments.of("no Host in HTTP/1.1", 400, "GET / HTTP/1.1\r\nX: y\r\n\r\n"),
                Arguments.of("HTTP/2.0 request line", 505, "GET / HTTP/2.0\r\n" + H + "\r\n"),
                Arguments.of("request line over the limit", 414, "GET /" + "a".repeat(1100) + " HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("headers over the limit", 431, "GET / HTTP/1.1\r\n" + H + "X-Big: " + "b".repeat(2100) + "\r\n\r\n"),
                Arguments.of("known body over maxRequestBody", 413, "POST / HTTP/1.1\r\n" + H + "Content-Length: 1001\r\n\r\n" + "x".repeat(1001)),
                Arguments.of("Upgrade without Connection token but Connection: upgrade alone", 400,
                        "GET / HTTP/1.1\r\n" + H + "Connection: upgrade\r\n\r\n"),
                Arguments.of("upgrade carrying a body", 400,
                        "POST / HTTP/1.1\r\n" + H + "Connection: upgrade\r\nUpgrade: websocket\r\nContent-Length: 3\r\n\r\nabc"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("malformed")
    void malformedRequestIsRejectedClosedAndNeverForwarded(String name, int status, String request) {
        String before = backend.receivedAll();
        Socket socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test");
        // A valid request follows the bad one: it must never be parsed (nothing more is read).
        String response = RawClient.sendAndReadToClose(socket, request + "GET /smuggled HTTP/1.1\r\n" + H + "\r\n");
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), name + ": expected " + status + ", got: " + response);
        assertTrue(response.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n"), name + ": the rejection says it closes: " + response);
        assertEquals(1, response.split("HTTP/1.1 ", -1).length - 1, name + ": exactly one response, nothing after it was parsed: " + response);
        assertFalse(response.contains("evil") || response.contains("smuggled"), name + ": client input is never echoed: " + response);
        assertEquals(before, backend.receivedAll(), name + ": not one byte of a rejected request reaches the backend");
    }

    static Stream<Arguments> legitimate() {
        return Stream.of(
                Arguments.of("TE in capitals", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("TE with surrounding OWS", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding:  chunked \t\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("CL with surrounding OWS", "POST / HTTP/1.1\r\n" + H + "Content-Length: \t 5 \t\r\n\r\nhello"),
                Arguments.of("chunk extension", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("trailer fields", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
                Arguments.of("empty line before the request line", "\r\nGET / HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("Upgrade: h2c is dropped, not tunnelled", "GET / HTTP/1.1\r\n" + H + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"),
                Arguments.of("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("legitimate")
    void legitimateVariantPasses(String name, String request) throws Exception {
        int mark = backend.receivedAll().length();
        String response;
        try (Socket socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test")) {
            RawClient.send(socket, request);
            response = RawClient.readResponse(socket);
        }
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), name + ": must be served, got: " + response);
        String got = backend.receivedAll().substring(mark);
        assertTrue(got.contains("x-forwarded-for: 127.0.0.1\r\n"), name + ": reached the backend: " + got);
        assertFalse(got.toLowerCase(Locale.ROOT).contains("upgrade") || got.contains("HTTP2-Settings"), name + ": no upgrade reaches the backend: " + got);
    }

    @Test
    void chunkedBodyOverTheLimitIs413AndCloses() {
        Socket socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test");
        String chunk = Integer.toHexString(600) + "\r\n" + "x".repeat(600) + "\r\n";
        String response = RawClient.sendAndReadToClose(socket, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 413 "), "a chunked body past maxRequestBody is refused when the count exceeds: " + response);
    }
}
