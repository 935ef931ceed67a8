package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pipelining, HEAD, 204/304, 100-continue, HTTP/1.0 clients and the connection timers. */
@Timeout(30)
class ConnectionBehaviourTest {
    static EchoBackend echo;
    static RecordingBackend headAware;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        echo = new EchoBackend("e");
        headAware = new RecordingBackend((head, out) -> {
            String last = head.substring(head.lastIndexOf("\r\n\r\n", head.length() - 5) + 1);
            RecordingBackend.write(out, last.contains("HEAD /") ? "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" : RecordingBackend.OK);
        });
        RouteOptions serve = new RouteOptions(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());
        ServerLimits limits = new ServerLimits(8192, 16384, Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(1));
        proxy = new ProxyFixture(List.of(
                ProxyFixture.proxy("a.test", "/", serve, echo.port()),
                ProxyFixture.proxy("h.test", "/", serve, headAware.port())), limits, List.of(), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        echo.close();
        headAware.close();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        Socket s = RawClient.plain(proxy.httpPort());
        RawClient.send(s, "GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\nGET /2 HTTP/1.1\r\nHost: a.test\r\n\r\nGET /3 HTTP/1.1\r\nHost: a.test\r\n\r\n");
        for (int i = 1; i <= 3; i++) {
            String response = RawClient.readResponse(s);
            assertTrue(response.endsWith("hello from e /" + i), "response " + i + " comes " + i + "th: " + response);
        }
    }

    @Test
    void headResponseHasNoBodyAndTheNextRequestStillWorks() {
        Socket s = RawClient.plain(proxy.httpPort());
        RawClient.send(s, "HEAD /h HTTP/1.1\r\nHost: h.test\r\n\r\nGET /g HTTP/1.1\r\nHost: h.test\r\n\r\n");
        String head = readHead(s);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.toLowerCase().contains("content-length: 1000"), head);
        String next = RawClient.readResponse(s);
        assertTrue(next.startsWith("HTTP/1.1 200 OK\r\n") && next.endsWith("ok"),
                "the HEAD response carried no body, so the next response follows directly: " + next);
    }

    @Test
    void noContentAndNotModifiedCarryNoBody() {
        Socket s = RawClient.plain(proxy.httpPort());
        RawClient.send(s, "GET /status/204 HTTP/1.1\r\nHost: a.test\r\n\r\nGET /status/304 HTTP/1.1\r\nHost: a.test\r\n\r\nGET /after HTTP/1.1\r\nHost: a.test\r\n\r\n");
        String r204 = readHead(s);
        assertTrue(r204.startsWith("HTTP/1.1 204 "), r204);
        assertFalse(r204.toLowerCase().contains("transfer-encoding"), "204 is never chunked: " + r204);
        String r304 = readHead(s);
        assertTrue(r304.startsWith("HTTP/1.1 304 "), r304);
        assertFalse(r304.toLowerCase().contains("transfer-encoding"), "304 is never chunked: " + r304);
        assertTrue(RawClient.readResponse(s).endsWith("hello from e /after"), "nothing stray followed the bodiless answers");
    }

    @Test
    void expectContinueIsAnsweredByTheProxyAndNotForwarded() {
        Socket s = RawClient.plain(proxy.httpPort());
        RawClient.send(s, "POST /headers HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        String interim = readHead(s);
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", interim, "the client is told to send its body");
        RawClient.send(s, "hello");
        String response = RawClient.readResponse(s);
        assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
        assertFalse(response.toLowerCase().contains("expect:"), "the expectation was met here; the backend never sees it: " + response);
    }

    @Test
    void http10ClientGetsACloseDelimitedBodyInsteadOfChunks() {
        Socket s = RawClient.plain(proxy.httpPort());
        String response = RawClient.sendAndReadToClose(s, "GET /download?size=5000 HTTP/1.0\r\nHost: a.test\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertFalse(response.toLowerCase().contains("transfer-encoding"), "HTTP/1.0 knows no chunked coding");
        assertEquals(5000, response.length() - response.indexOf("\r\n\r\n") - 4, "the whole body, delimited by the close");
    }

    @Test
    void slowHeadIsAnswered408AndClosed() {
        Socket s = RawClient.plain(proxy.httpPort());
        long start = System.nanoTime();
        String response = RawClient.sendAndReadToClose(s, "GET / HTTP/1.1\r\nHost: a.te");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(response.startsWith("HTTP/1.1 408 Request Timeout\r\n"), response);
        assertTrue(millis >= 400 && millis < 5000, "the head deadline is headerTimeout: " + millis + " ms");
    }

    @Test
    void idleKeptAliveConnectionIsClosedAfterKeepAliveTimeout() throws IOException {
        Socket s = RawClient.plain(proxy.httpPort());
        RawClient.send(s, "GET /k HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertTrue(RawClient.readResponse(s).endsWith("hello from e /k"));
        long start = System.nanoTime();
        InputStream in = s.getInputStream();
        assertEquals(-1, in.read(), "after keepAliveTimeout the proxy closes the idle connection without a word");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 400, "not before keepAliveTimeout: " + millis + " ms");
        s.close();
    }

    @Test
    void drainingAnswersWithConnectionCloseAndCloses() {
        try (ProxyFixture draining = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", "/", new RouteOptions(1 << 20,
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30), true,
                RouteOptions.HttpBehaviour.SERVE, Optional.empty()), echo.port())))) {
            Socket s = RawClient.plain(draining.httpPort());
            RawClient.send(s, "GET /before HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertFalse(RawClient.readResponse(s).toLowerCase().contains("connection: close"), "keep-alive before draining");
            draining.counters().startDraining();
            String last = RawClient.sendAndReadToClose(s, "GET /during HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertTrue(last.toLowerCase().contains("\r\nconnection: close\r\n") && last.endsWith("hello from e /during"),
                    "while draining the response is served, says close, and the connection closes: " + last);
        }
    }

    private static String readHead(Socket s) {
        try {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("closed mid-head: " + head);
                }
                head.append((char) b);
            }
            return head.toString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
