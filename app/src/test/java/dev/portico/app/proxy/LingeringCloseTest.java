package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that writes its whole body before it reads (as many do) gets the answer to a request refused
 * before its body was read, rather than "connection reset" or "broken pipe" in the middle of its write:
 * the proxy reads and drops the rest, then closes. 32 MiB is far more than the socket buffers on both
 * sides hold, so without that the client's write fails.
 */
@Timeout(60)
class LingeringCloseTest {
    private static final int BODY = 32 << 20;
    private static final RouteOptions SMALL_BODIES = new RouteOptions(1000, Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("JDK", "Content-Length over max_request_body", "Content-Length: " + BODY, "413", true),
                Arguments.of("OPENSSL", "Content-Length over max_request_body", "Content-Length: " + BODY, "413", true),
                Arguments.of("JDK", "a chunked body that passes max_request_body", "Transfer-Encoding: chunked", "413", false),
                Arguments.of("OPENSSL", "a chunked body that passes max_request_body", "Transfer-Encoding: chunked", "413", false),
                Arguments.of("JDK", "ambiguous framing (the framing handler's own answer)",
                        "Content-Length: " + BODY + "\r\nTransfer-Encoding: chunked", "400", true));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusals")
    void theClientWritesItsWholeBodyThenReadsTheAnswer(String provider, String what, String framing, String status,
                                                         boolean refusedAtTheHead) throws Exception {
        assumeTrue(provider.equals("JDK") || OpenSsl.isAvailable(), "OpenSSL provider not loadable here");
        try (EchoBackend backend = new EchoBackend("b");
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", "/", SMALL_BODIES, backend.port())),
                     ServerLimits.DEFAULTS, List.of(), 1, TestTls.INSTANCE.front(SslProvider.valueOf(provider)))) {
            Socket socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test");
            String answer = writeAllThenRead(socket, "POST /up HTTP/1.1\r\nHost: a.test\r\n" + framing + "\r\n\r\n",
                    framing.startsWith("Transfer-Encoding"));
            assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), what + ": " + answer);
            assertTrue(answer.toLowerCase().contains("connection: close"), what + ": " + answer);
            if (refusedAtTheHead) { // a chunked body streams to the backend until it passes the limit
                assertEquals(0, backend.requests.get(), what + ": nothing reached the backend");
            }
        }
    }

    @Test
    void portEightyAnswersAnEarly404AndReadsTheBodyAway() throws Exception {
        try (EchoBackend backend = new EchoBackend("b");
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", "/", SMALL_BODIES, backend.port())))) {
            String answer = writeAllThenRead(RawClient.plain(proxy.httpPort()),
                    "POST /up HTTP/1.1\r\nHost: unknown.test\r\nContent-Length: " + BODY + "\r\n\r\n", false);
            assertTrue(answer.startsWith("HTTP/1.1 404 "), "a host no route serves, answered before its body: " + answer);
        }
    }

    @Test
    void requestsPipelinedAfterConnectionCloseAreReadAwayNotReset() throws Exception {
        try (EchoBackend backend = new EchoBackend("b");
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", backend.port())))) {
            Socket socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test");
            String answer = writeAllThenRead(socket, "GET /first HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
                    + "POST /second HTTP/1.1\r\nHost: a.test\r\nContent-Length: " + BODY + "\r\n\r\n", false);
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("hello from b /first"),
                    "the first request's answer, and only that: " + answer);
            assertEquals(1, backend.requests.get(), "the request after Connection: close is never forwarded");
        }
    }

    /**
     * Sends {@code head} and a {@value #BODY}-byte body (chunked: in 64 KiB chunks) with blocking writes,
     * then reads to the proxy's close. A failed write fails the test.
     */
    private static String writeAllThenRead(Socket socket, String head, boolean chunked) throws IOException {
        OutputStream out = socket.getOutputStream();
        byte[] block = new byte[64 * 1024];
        byte[] chunkHead = (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
        try {
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (int sent = 0; sent < BODY; sent += block.length) {
                if (chunked) {
                    out.write(chunkHead);
                }
                out.write(block);
                if (chunked) {
                    out.write(crlf);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new AssertionError("the write failed before the client could read the answer", e);
        }
        return RawClient.readToClose(socket);
    }
}
