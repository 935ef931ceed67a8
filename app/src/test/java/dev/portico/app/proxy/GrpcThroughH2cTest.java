package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A gRPC-style bidirectional stream through Portico: a Netty HTTP/2 client over TLS with ALPN h2 sends
 * length-prefixed messages on one stream; Portico relays them to an {@code h2c://} upstream on a stream
 * of its own HTTP/2 connection; the upstream's replies come back one by one before the client has
 * half-closed, and the trailers with {@code grpc-status: 0} arrive at the end.
 */
@Timeout(30)
class GrpcThroughH2cTest {
    static GrpcStyleBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        backend = new GrpcStyleBackend();
        RouteAction.Upstream h2c = new RouteAction.Upstream(URI.create("h2c://127.0.0.1:" + backend.port()),
                "127.0.0.1", backend.port(), true);
        proxy = new ProxyFixture(List.of(ProxyFixture.route("localhost", "/", new RouteAction.Proxy(List.of(h2c)),
                RouteOptions.DEFAULTS)), ServerLimits.DEFAULTS, List.of(), 1, TestTls.INSTANCE.frontH2());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void bidirectionalStreamWithTrailersCrossesTheProxy() throws Exception {
        try (H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "localhost")) {
            Http2Headers request = new DefaultHttp2Headers().method("POST").scheme("https").authority("localhost")
                    .path("/echo.Echo/Chat").set("content-type", "application/grpc").set("te", "trailers");
            Http2FrameStream stream = client.headers(request, false);
            H2FrameClient.Event head = client.next(10);
            assertEquals("HEADERS", head.kind(), "the response head comes first: " + head);
            assertEquals("200", head.headers().status().toString(), "the upstream's status");
            assertEquals("application/grpc", String.valueOf(head.headers().get("content-type")), "its content type");
            assertFalse(head.endStream(), "the response stays open for messages");
            for (int i = 1; i <= 3; i++) {
                client.data(stream, GrpcStyleBackend.message("msg-" + i), false);
                assertArrayEquals(GrpcStyleBackend.message("echo:msg-" + i), nextMessage(client),
                        "reply " + i + " arrives while the client has not half-closed (bidirectional streaming)");
            }
            client.data(stream, GrpcStyleBackend.message("last"), true);
            assertArrayEquals(GrpcStyleBackend.message("echo:last"), nextMessage(client), "the last reply");
            H2FrameClient.Event trailers = client.next(10);
            while (trailers.kind().equals("DATA") && trailers.data().length == 0 && !trailers.endStream()) {
                trailers = client.next(10);
            }
            assertEquals("HEADERS", trailers.kind(), "trailers end the response: " + trailers);
            assertEquals("0", String.valueOf(trailers.headers().get("grpc-status")), "grpc-status passes as a trailer");
            assertTrue(trailers.endStream(), "the trailers carry END_STREAM");
            assertNull(trailers.headers().status(), "they are trailers, not a second head");
        }
        Http2Headers seen = backend.requestHeads.stream().filter(h -> String.valueOf(h.path()).equals("/echo.Echo/Chat"))
                .findFirst().orElseThrow(() -> new AssertionError("the upstream saw the call"));
        assertEquals("trailers", String.valueOf(seen.get("te")), "gRPC's TE: trailers reaches the upstream");
        assertEquals("POST", String.valueOf(seen.method()), "the method is kept");
        assertEquals("http", String.valueOf(seen.scheme()), "the upstream leg is cleartext");
    }

    @Test
    void manyStreamsShareTheUpstreamConnection() throws Exception {
        try (H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "localhost")) {
            GrpcStyleBackend.unaryCalls(client, 20);
        }
        assertEquals(1, backend.connections.get(),
                "every call of every test used streams of one upstream connection (one event loop, one connection)");
    }

    @Test
    void http11ClientIsTranslatedWithTrailersInTheLastChunk() throws Exception {
        byte[] body = GrpcStyleBackend.message("from-h1");
        try (var socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "localhost")) {
            socket.getOutputStream().write(("POST /echo.Echo/Unary HTTP/1.1\r\nHost: localhost\r\nTE: trailers\r\n"
                    + "Content-Type: application/grpc\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes());
            socket.getOutputStream().write(body);
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), "an HTTP/1.1 client reaches the h2c upstream: " + response);
            assertTrue(response.contains("echo:from-h1"), "the reply message arrives: " + response);
            assertTrue(response.toLowerCase().contains("\r\n0\r\ngrpc-status: 0\r\n"),
                    "the upstream's trailers come in the chunked trailer section: " + response);
        }
    }

    /** Reads DATA events until one whole length-prefixed message has arrived. */
    private static byte[] nextMessage(H2FrameClient client) throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true) {
            H2FrameClient.Event event = client.next(10);
            assertEquals("DATA", event.kind(), "a message, not " + event);
            bytes.writeBytes(event.data());
            byte[] all = bytes.toByteArray();
            if (all.length >= 5) {
                int length = ((all[1] & 0xFF) << 24) | ((all[2] & 0xFF) << 16) | ((all[3] & 0xFF) << 8) | (all[4] & 0xFF);
                if (all.length >= 5 + length) {
                    return all;
                }
            }
        }
    }
}
