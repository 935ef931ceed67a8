package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.ServerLimits;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 9113 translation and abuse limits, frame by frame with a Netty HTTP/2 client over TLS+ALPN:
 * cookies recombined, connection-specific fields refused, SNI/:authority mismatch 421, rapid reset and
 * oversized header blocks end the connection while the proxy keeps serving, draining sends GOAWAY.
 */
@Timeout(60)
class Http2ProtocolTest {
    static RecordingBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RecordingBackend.answering(RecordingBackend.OK);
        proxy = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", backend.port()), ProxyFixture.proxy("b.test", backend.port())),
                ServerLimits.DEFAULTS, List.of(), 1, TestTls.INSTANCE.frontH2());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    static Http2Headers get(String authority, String path) {
        return new DefaultHttp2Headers(false).method("GET").scheme("https").authority(authority).path(path);
    }

    @Test
    void cookieFieldsAreJoinedForTheHttp11Backend() throws Exception {
        try (H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "a.test")) {
            client.headers(get("a.test", "/cookies").add("cookie", "a=1").add("cookie", "b=2").add("cookie", "c=3"), true);
            H2FrameClient.Event head = client.next(10);
            assertEquals("200", head.headers().status().toString(), "the request was proxied: " + head);
            String received = backend.receivedAll();
            assertTrue(received.contains("GET /cookies HTTP/1.1\r\n"), "the backend got an HTTP/1.1 request: " + received);
            assertTrue(received.contains("\r\ncookie: a=1; b=2; c=3\r\n"),
                    "RFC 9113 8.2.3: the cookie fields arrive as one, joined with '; ': " + received);
        }
    }

    @Test
    void connectionSpecificFieldResetsTheStream() throws Exception {
        try (H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "a.test")) {
            client.headers(get("a.test", "/conn").add("connection", "keep-alive"), true);
            H2FrameClient.Event event = client.next(10);
            boolean refused = event.kind().equals("RST_STREAM") && event.errorCode() == Http2Error.PROTOCOL_ERROR.code()
                    || event.kind().equals("HEADERS") && event.headers().status().toString().equals("400");
            assertTrue(refused, "RFC 9113 8.2.2: a request with Connection is malformed: " + event);
            assertTrue(!backend.receivedAll().contains("GET /conn "), "the malformed request never reached the backend");
            client.headers(get("a.test", "/after"), true);
            assertEquals("200", client.next(10).headers().status().toString(), "the connection still serves other streams");
        }
    }

    @Test
    void authorityOfAnotherRouteThanSniIs421() throws Exception {
        try (H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "a.test")) {
            client.headers(get("b.test", "/misdirected"), true);
            H2FrameClient.Event head = client.next(10);
            assertEquals("421", head.headers().status().toString(), ":authority b.test on a connection for a.test is misdirected");
        }
    }

    @Test
    void rapidResetFloodGetsGoAwayAndTheProxyKeepsServing() throws Exception {
        try (H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "a.test")) {
            client.openAndReset(get("a.test", "/flood"), 5000);
            H2FrameClient.Event event;
            do {
                event = client.next(10);
            } while (!event.kind().equals("GOAWAY"));
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), event.errorCode(), "CVE-2023-44487: too many RST_STREAM frames");
            assertTrue(client.closedWithin(10), "the flooding connection is closed");
        }
        try (H2FrameClient fresh = H2FrameClient.tls(proxy.httpsPort(), "a.test")) {
            fresh.headers(get("a.test", "/fresh"), true);
            assertEquals("200", fresh.next(10).headers().status().toString(), "a new connection is served as usual");
        }
    }

    @Test
    void headerBlockOverTheLimitAcrossContinuationFramesIsRefused() throws Exception {
        try (H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "a.test")) {
            Http2Headers headers = get("a.test", "/huge");
            for (int i = 0; i < 64; i++) {
                headers.add("x-filler-" + i, "v".repeat(4000)); // ~256 KiB: many CONTINUATION frames
            }
            client.headers(headers, true);
            H2FrameClient.Event event = client.next(10);
            boolean refused = event.kind().equals("GOAWAY") || event.kind().equals("RST_STREAM")
                    || event.kind().equals("HEADERS") && event.headers().status().toString().equals("431");
            assertTrue(refused, "a header list over maxHeaderBytes is refused, not accumulated: " + event);
            assertTrue(!backend.receivedAll().contains("GET /huge "), "it never reached the backend");
        }
    }

    @Test
    void drainingSendsGoAwayOnceTheStreamsUnderWayAreDone() throws Exception {
        java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        RecordingBackend held = new RecordingBackend((head, out) -> {
            arrived.countDown();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RecordingBackend.write(out, RecordingBackend.OK);
        });
        try (ProxyFixture draining = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", held.port())),
                ServerLimits.DEFAULTS, List.of(), 1, TestTls.INSTANCE.frontH2());
             H2FrameClient client = H2FrameClient.tls(draining.httpsPort(), "a.test")) {
            int inFlight = client.headers(get("a.test", "/held"), true).id();
            assertTrue(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS), "the request reached the backend");
            draining.counters().startDraining();
            release.countDown();
            boolean sawResponse = false;
            boolean sawGoAway = false;
            while (!sawGoAway) {
                H2FrameClient.Event event = client.next(10);
                sawResponse |= event.kind().equals("HEADERS") && event.streamId() == inFlight
                        && event.headers().status().toString().equals("200");
                if (event.kind().equals("GOAWAY")) {
                    sawGoAway = true;
                    assertTrue(sawResponse, "the stream under way got its answer before GOAWAY");
                    assertEquals(Http2Error.NO_ERROR.code(), event.errorCode(), "a graceful GOAWAY");
                    assertEquals(inFlight, event.streamId(), "its last stream id is the last stream the client opened");
                }
            }
            assertTrue(client.closedWithin(10), "the connection closes once its streams are done");
        } finally {
            release.countDown();
            held.close();
        }
    }
}
