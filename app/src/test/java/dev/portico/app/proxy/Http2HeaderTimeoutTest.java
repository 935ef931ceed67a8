package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.ServerLimits;
import dev.portico.tls.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The header timeout on HTTP/2, byte by byte over TLS with ALPN h2 (a frame codec would never send an
 * incomplete block): a client that stops in the middle of a header block, or never sends its preface,
 * is closed after the header timeout (300 ms here) rather than the keep-alive timeout (30 s); a block
 * split over CONTINUATION frames that arrives in time is served, and the connection then stays.
 */
@Timeout(30)
class Http2HeaderTimeoutTest {
    private static final Duration HEADER_TIMEOUT = Duration.ofMillis(300);
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADERS = 0x1;
    private static final int SETTINGS = 0x4;
    private static final int CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;

    static RecordingBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RecordingBackend.answering(RecordingBackend.OK);
        ServerLimits limits = new ServerLimits(8 * 1024, 32 * 1024, HEADER_TIMEOUT, Duration.ofSeconds(30), Duration.ofSeconds(5));
        proxy = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", backend.port())), limits, List.of(), 1,
                TestTls.INSTANCE.frontH2());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void clientThatStopsInTheMiddleOfAHeaderBlockIsClosedAfterTheHeaderTimeout() throws Exception {
        try (SSLSocket socket = connectH2()) {
            OutputStream out = openSession(socket);
            out.write(frame(HEADERS, END_STREAM, 1, requestStart("/stalled"))); // no END_HEADERS: CONTINUATION must follow
            out.flush();
            long sent = System.nanoTime();
            readUntilClosed(socket);
            long waited = System.nanoTime() - sent;
            assertTrue(waited >= HEADER_TIMEOUT.toNanos(), "not before the header timeout: " + waited / 1_000_000 + " ms");
            assertFalse(backend.receivedAll().contains("/stalled"), "the half request never reached the backend");
        }
    }

    @Test
    void clientThatNeverSendsThePrefaceIsClosedAfterTheHeaderTimeout() throws Exception {
        try (SSLSocket socket = connectH2()) {
            long connected = System.nanoTime();
            readUntilClosed(socket);
            long waited = System.nanoTime() - connected;
            assertTrue(waited >= HEADER_TIMEOUT.toNanos() / 2, "about the header timeout, not at once: " + waited / 1_000_000 + " ms");
        }
    }

    @Test
    void headerBlockOverContinuationFramesInTimeIsServedAndTheConnectionStays() throws Exception {
        try (SSLSocket socket = connectH2()) {
            OutputStream out = openSession(socket);
            out.write(frame(HEADERS, END_STREAM, 1, requestStart("/split")));
            out.write(frame(CONTINUATION, END_HEADERS, 1, authority("a.test")));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            awaitResponseHeaders(in, 1);
            Await.until(Duration.ofSeconds(5), "the backend got the request", () -> backend.receivedAll().contains("GET /split HTTP/1.1"));
            drainResponse(in, 1);

            // Past the header timeout with nothing under way, the connection is neither closed nor
            // written to: the read below must time out rather than see the end of the stream.
            socket.setSoTimeout((int) HEADER_TIMEOUT.toMillis() * 3);
            assertThrows(SocketTimeoutException.class, in::read, "an idle connection outlives the header timeout");
            socket.setSoTimeout(10_000);

            out.write(frame(HEADERS, END_STREAM | END_HEADERS, 3, concat(requestStart("/again"), authority("a.test"))));
            out.flush();
            awaitResponseHeaders(in, 3);
        }
    }

    private static SSLSocket connectH2() {
        SSLSocket socket = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test", "h2");
        assertEquals("h2", socket.getApplicationProtocol(), "ALPN chose h2");
        return socket;
    }

    /** Writes the client preface and an empty SETTINGS frame (not flushed); returns the stream. */
    private static OutputStream openSession(SSLSocket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(PREFACE);
        out.write(frame(SETTINGS, 0, 0, new byte[0]));
        return out;
    }

    /** HPACK without Huffman: :method GET, :scheme https (static table), :path literal. */
    private static byte[] requestStart(String path) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET
        block.write(0x87); // :scheme https
        literal(block, 4, path); // :path, name from the static table
        return block.toByteArray();
    }

    private static byte[] authority(String host) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        literal(block, 1, host); // :authority
        return block.toByteArray();
    }

    /** Literal header field without indexing, indexed name (RFC 7541 6.2.2); short values only. */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        block.write(nameIndex);
        block.write(bytes.length);
        block.writeBytes(bytes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        frame[5] = (byte) (stream >>> 24);
        frame[6] = (byte) (stream >>> 16);
        frame[7] = (byte) (stream >>> 8);
        frame[8] = (byte) stream;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        return frame;
    }

    /** One frame: {type, flags, stream}; its payload is read and dropped. */
    private static int[] readFrame(DataInputStream in) throws IOException {
        byte[] header = new byte[9];
        in.readFully(header);
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
        in.readFully(new byte[length]);
        int stream = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8) | (header[8] & 0xff);
        return new int[] {header[3] & 0xff, header[4] & 0xff, stream};
    }

    private static void awaitResponseHeaders(DataInputStream in, int stream) throws IOException {
        int[] frame;
        do {
            frame = readFrame(in);
        } while (!(frame[0] == HEADERS && frame[2] == stream));
    }

    /** Reads the rest of the response on {@code stream} up to its END_STREAM. */
    private static void drainResponse(DataInputStream in, int stream) throws IOException {
        int[] frame;
        do {
            frame = readFrame(in);
        } while (!(frame[2] == stream && (frame[1] & END_STREAM) != 0));
    }

    /** Reads frames until the proxy closes the connection; a read timeout (10 s) fails the test. */
    private static void readUntilClosed(SSLSocket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        try {
            while (true) {
                readFrame(in);
            }
        } catch (EOFException | SocketException closed) {
            // the end of the stream (or a reset): closed, as expected
        }
    }
}
