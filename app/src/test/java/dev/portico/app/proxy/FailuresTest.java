package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backend failures: 502 for refusals and non-HTTP answers, 504 for silence, visible truncation, stale
 * retries. Plain HTTP on the port-80 listener with SERVE routes: none of this depends on TLS.
 */
@Timeout(30)
class FailuresTest {
    static final RouteOptions FAST = new RouteOptions(1 << 20, Duration.ofSeconds(2), Duration.ofMillis(400), Duration.ofSeconds(30),
            Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());
    static final List<AutoCloseable> closeables = new ArrayList<>();
    static ProxyFixture proxy;
    static int deadPort;
    static EchoBackend a;
    static EchoBackend b;
    static RecordingBackend garbage;
    static RecordingBackend silent;
    static RecordingBackend chunkedCut;
    static RecordingBackend fixedCut;
    static RecordingBackend staleOnSecond;
    static RecordingBackend switcher;
    static RecordingBackend stalls;
    /** FAST, but a backend silent for 500 ms in the middle of a response is given up on. */
    static final RouteOptions SHORT_IDLE = new RouteOptions(1 << 20, Duration.ofSeconds(2), Duration.ofMillis(400),
            Duration.ofMillis(500), Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        a = add(new EchoBackend("a"));
        b = add(new EchoBackend("b"));
        garbage = add(RecordingBackend.answering("HELLO <script>\r\n\r\n"));
        silent = add(new RecordingBackend((head, out) -> { }));
        chunkedCut = add(new RecordingBackend((head, out) -> {
            RecordingBackend.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            close(out);
        }));
        fixedCut = add(new RecordingBackend((head, out) -> {
            RecordingBackend.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
            close(out);
        }));
        staleOnSecond = add(new RecordingBackend((head, out) -> {
            if (head.split("\r\n\r\n", -1).length - 1 == 1) {
                RecordingBackend.write(out, RecordingBackend.OK);
            } else {
                close(out); // an upstream that dropped the kept-alive connection just as it was reused
            }
        }));
        stalls = add(RecordingBackend.answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
        switcher = add(RecordingBackend.answering("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"));
        proxy = new ProxyFixture(List.of(
                ProxyFixture.proxy("switch.test", "/", FAST, switcher.port()),
                ProxyFixture.proxy("refused.test", "/", FAST, deadPort),
                ProxyFixture.proxy("rr.test", "/", FAST, deadPort, a.port(), b.port()),
                ProxyFixture.proxy("garbage.test", "/", FAST, garbage.port()),
                ProxyFixture.proxy("silent.test", "/", FAST, silent.port()),
                ProxyFixture.proxy("chunkcut.test", "/", FAST, chunkedCut.port()),
                ProxyFixture.proxy("fixedcut.test", "/", FAST, fixedCut.port()),
                ProxyFixture.proxy("stale.test", "/", FAST, staleOnSecond.port()),
                ProxyFixture.proxy("stalls.test", "/", SHORT_IDLE, stalls.port())));
    }

    private static <T extends AutoCloseable> T add(T c) {
        closeables.add(c);
        return c;
    }

    private static void close(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private static Socket connect() {
        return RawClient.plain(proxy.httpPort());
    }

    private static String get(String host) {
        Socket s = connect();
        return RawClient.sendAndReadToClose(s, "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    @Test
    void backendSwitchingProtocolsUnaskedIs502AndNoTunnelOpens() {
        Socket s = connect();
        RawClient.send(s, "GET / HTTP/1.1\r\nHost: switch.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
        String response = RawClient.readResponse(s);
        assertTrue(response.startsWith("HTTP/1.1 502 "), "h2c is never tunnelled, even when a backend answers 101: " + response);
        assertEquals(0, proxy.counters().openTunnels(), "no tunnel was opened");
        assertFalse(switcher.receivedAll().toLowerCase().contains("upgrade"), "the h2c upgrade never reached the backend: " + switcher.receivedAll());
    }

    @Test
    void refusedConnectionIs502Quickly() {
        long start = System.nanoTime();
        String response = get("refused.test");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response);
        assertTrue(millis < 2000, "a refusal is answered at once, not after a timeout: " + millis + " ms");
    }

    @Test
    void roundRobinSkipsARefusingUpstreamAndUsesTheOthers() {
        int aBefore = a.requests.get();
        int bBefore = b.requests.get();
        for (int i = 0; i < 10; i++) {
            String response = get("rr.test");
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), "a refusing upstream is skipped, never a 502 while others live: " + response);
        }
        assertTrue(a.requests.get() - aBefore >= 3 && b.requests.get() - bBefore >= 3,
                "requests rotate over the live upstreams: a=" + (a.requests.get() - aBefore) + " b=" + (b.requests.get() - bBefore));
    }

    @Test
    void answerThatIsNotHttpIs502AndNeverRelayed() {
        String response = get("garbage.test");
        assertTrue(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response);
        assertFalse(response.contains("HELLO") || response.contains("<script>"), "the backend's garbage is never relayed: " + response);
    }

    @Test
    void noResponseHeadInTimeIs504() {
        String response = get("silent.test");
        assertTrue(response.startsWith("HTTP/1.1 504 Gateway Timeout\r\n"), response);
    }

    @Test
    void chunkedResponseCutByTheBackendIsCutForTheClientWithoutTerminatingChunk() {
        String response = get("chunkcut.test");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\n5\r\nhello\r\n"), "the data so far arrives, then the connection ends: " + response);
        assertFalse(response.contains("0\r\n\r\n"), "the terminating chunk is never written, so the client sees truncation: " + response);
    }

    @Test
    void fixedLengthResponseCutByTheBackendClosesShort() {
        String response = get("fixedcut.test");
        assertTrue(response.contains("content-length: 100\r\n") || response.contains("Content-Length: 100\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\nabc"), "only the bytes the backend sent, then close: " + response);
    }

    @Test
    void backendSilentMidResponseForTheIdleTimeoutIsCutForTheClient() {
        long start = System.nanoTime();
        String response = get("stalls.test"); // the backend sends a head and one chunk, then nothing, and stays open
        long waited = System.nanoTime() - start;
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n") && response.endsWith("\r\n\r\n5\r\nhello\r\n"),
                "what arrived is relayed, then the connection ends without the terminating chunk: " + response);
        assertTrue(waited >= SHORT_IDLE.idleTimeout().toNanos(), "cut only after the idle timeout: " + waited / 1_000_000 + " ms");
    }

    @Test
    void idempotentRequestIsRetriedWhenAPooledConnectionWasClosed() {
        int accepted = staleOnSecond.accepted();
        Socket s = connect();
        RawClient.send(s, "GET /1 HTTP/1.1\r\nHost: stale.test\r\n\r\n");
        assertTrue(RawClient.readResponse(s).startsWith("HTTP/1.1 200 OK"), "first request on a new upstream connection");
        RawClient.send(s, "GET /2 HTTP/1.1\r\nHost: stale.test\r\n\r\n");
        String second = RawClient.readResponse(s);
        assertTrue(second.startsWith("HTTP/1.1 200 OK"), "the pooled connection died before any response byte: GET is resent: " + second);
        assertEquals(accepted + 2, staleOnSecond.accepted(), "the retry used a new upstream connection");
        RawClient.send(s, "POST /3 HTTP/1.1\r\nHost: stale.test\r\nContent-Length: 1\r\n\r\nx");
        String post = RawClient.readResponse(s);
        assertTrue(post.startsWith("HTTP/1.1 502 "), "a POST is never resent: " + post);
    }

    @Test
    void bodyThatBreaksAfterItsHeadWasForwardedIs400AndCloses() throws Exception {
        int mark = silent.receivedAll().length();
        Socket s = connect();
        RawClient.send(s, "POST / HTTP/1.1\r\nHost: silent.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!silent.receivedAll().substring(mark).contains("3\r\nabc\r\n") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(silent.receivedAll().substring(mark).contains("3\r\nabc\r\n"), "the valid part streamed to the backend");
        String response = RawClient.sendAndReadToClose(s, "zz\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), "a broken chunk after forwarding is refused and closed: " + response);
    }
}
