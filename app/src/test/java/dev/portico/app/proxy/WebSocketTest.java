package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteOptions;
import dev.portico.tls.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WebSocket (and any upgrade) through the proxy: byte-exact echo, control frames, closes, refusals, backpressure, scale. */
@Timeout(60)
class WebSocketTest {
    static WebSocketBackend backend;
    static RecordingBackend pusher;
    static RecordingBackend quiet;
    static AtomicLong pushed = new AtomicLong();
    static ProxyFixture proxy;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        backend = new WebSocketBackend();
        pusher = new RecordingBackend((head, out) -> {
            RecordingBackend.write(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            byte[] block = new byte[64 * 1024];
            try {
                while (pushed.get() < (512L << 20)) {
                    out.write(block); // blocks once every buffer on the way is full
                    pushed.addAndGet(block.length);
                }
            } catch (java.io.IOException e) {
                // the proxy closed the tunnel
            }
        });
        quiet = RecordingBackend.answering("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        RouteOptions shortIdle = new RouteOptions(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMillis(300), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());
        RouteOptions noUpgrade = new RouteOptions(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), false, RouteOptions.HttpBehaviour.SERVE, Optional.empty());
        proxy = new ProxyFixture(List.of(
                ProxyFixture.proxy("localhost", backend.port()),
                ProxyFixture.proxy("a.test", backend.port()),
                ProxyFixture.proxy("a.test", "/forbidden", noUpgrade, backend.port()),
                ProxyFixture.proxy("push.test", pusher.port()),
                ProxyFixture.proxy("quiet.test", "/", shortIdle, quiet.port())));
        http = WsClient.client();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
        pusher.close();
        quiet.close();
    }

    @Test
    void idleTunnelIsClosedAfterUpgradeIdleTimeout() {
        Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), "quiet.test");
        long start = System.nanoTime();
        String got = RawClient.sendAndReadToClose(s, "GET / HTTP/1.1\r\nHost: quiet.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(got.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), got);
        assertTrue(millis >= 250, "not before upgradeIdleTimeout: " + millis + " ms");
        awaitTunnels(0);
    }

    @Test
    void trafficInOneDirectionKeepsTheTunnelOpenPastTheIdleTimeout() throws Exception {
        int connection = quiet.accepted();
        Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), "quiet.test");
        RawClient.send(s, "GET / HTTP/1.1\r\nHost: quiet.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        String head = RawClient.readResponse(s);
        assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
        // Client to backend only, a byte every 100 ms for 1.2 s: four times the 300 ms upgrade idle timeout,
        // while the backend side never reads from the backend.
        int bytes = 12;
        CountDownLatch sent = new CountDownLatch(bytes);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try {
            ticker.scheduleAtFixedRate(() -> {
                if (sent.getCount() > 0) {
                    RawClient.send(s, "x"); // throws once the tunnel has closed, which ends the ticks
                    sent.countDown();
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            assertTrue(sent.await(10, TimeUnit.SECONDS), "every byte could be sent: the tunnel stayed open");
        } finally {
            ticker.shutdownNow();
        }
        long lastSent = System.nanoTime();
        Await.until(Duration.ofSeconds(5), "all " + bytes + " bytes reach the backend",
                () -> quiet.received(connection).endsWith("\r\n\r\n" + "x".repeat(bytes)));
        String rest = RawClient.readToClose(s); // quiet in both directions now: it closes
        long quietMillis = (System.nanoTime() - lastSent) / 1_000_000;
        assertEquals("", rest, "nothing but the close comes back");
        assertTrue(quietMillis >= 250, "closed only once both directions were quiet for the timeout: " + quietMillis + " ms");
        awaitTunnels(0);
    }

    private static URI wss(String path) {
        return URI.create("wss://localhost:" + proxy.httpsPort() + path);
    }

    @Test
    void thousandTextMessagesAndOneMebibyteBinaryEchoByteExact() throws Exception {
        WsClient ws = WsClient.open(http, wss("/ws")).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 1000; i++) {
            ws.socket.sendText("message " + i + " é✓", true).get(5, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals("message " + i + " é✓", ws.next(), "text " + i + " comes back exactly and in order");
        }
        byte[] blob = new byte[1 << 20];
        new Random(7).nextBytes(blob);
        ws.socket.sendBinary(ByteBuffer.wrap(blob), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(blob, (byte[]) ws.next(), "1 MiB binary comes back byte-exact");
        assertEquals(1, proxy.counters().openTunnels(), "one tunnel is open");
        ws.socket.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
        assertEquals(1000, ws.closed.get(10, TimeUnit.SECONDS), "the client-initiated close completes with the backend's echo");
        assertTrue(backend.closesReceived.contains(1000), "the backend received the client's close frame");
        awaitTunnels(0);
    }

    @Test
    void pingIsAnsweredWithPongThroughTheTunnel() throws Exception {
        WsClient ws = WsClient.open(http, wss("/ws")).get(10, TimeUnit.SECONDS);
        ws.socket.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
        ByteBuffer pong = ws.pongs.poll(10, TimeUnit.SECONDS);
        assertEquals("are you there", pong == null ? null : StandardCharsets.UTF_8.decode(pong).toString(), "pong carries the ping's data");
        ws.socket.abort();
    }

    @Test
    void backendInitiatedCloseReachesTheClient() throws Exception {
        WsClient ws = WsClient.open(http, wss("/ws")).get(10, TimeUnit.SECONDS);
        ws.socket.sendText("close-me", true).get(5, TimeUnit.SECONDS);
        assertEquals(1000, ws.closed.get(10, TimeUnit.SECONDS), "the backend's close frame arrives at the client");
        ws.socket.sendClose(1000, "ok");
        awaitTunnels(0);
    }

    @Test
    void upgradeAnsweredWithoutSwitchingLeavesTheConnectionUsableForHttp() throws Exception {
        Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test");
        String upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        RawClient.send(s, "GET /ws200 HTTP/1.1\r\nHost: a.test\r\n" + upgrade);
        String ok = RawClient.readResponse(s);
        assertTrue(ok.startsWith("HTTP/1.1 200 OK\r\n") && ok.endsWith("plain /ws200"), "a 200 answer to an upgrade is passed on: " + ok);
        RawClient.send(s, "GET /nothing HTTP/1.1\r\nHost: a.test\r\n" + upgrade);
        String notFound = RawClient.readResponse(s);
        assertTrue(notFound.startsWith("HTTP/1.1 404 Not Found\r\n"), "a 404 answer to an upgrade is passed on: " + notFound);
        RawClient.send(s, "GET /plain HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertTrue(RawClient.readResponse(s).endsWith("plain /plain"), "the connection is still HTTP and usable");
        s.close();
    }

    @Test
    void upgradeOnARouteThatForbidsItIs400() {
        Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test");
        String response = RawClient.sendAndReadToClose(s, "GET /forbidden HTTP/1.1\r\nHost: a.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400 "), response);
    }

    @Test
    void slowReaderMakesTheProxyStopReadingTheFastSide() throws Exception {
        pushed.set(0);
        Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), "push.test");
        OutputStream out = s.getOutputStream();
        out.write("GET /push HTTP/1.1\r\nHost: push.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] first = new byte[12];
        assertEquals(12, in.readNBytes(first, 0, 12), "the 101 starts arriving");
        // The client now reads nothing. The backend keeps writing until every buffer on the way is full.
        long last = -1;
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            long now = pushed.get();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(1500)) {
                break;
            }
            Thread.onSpinWait();
        }
        long stalledAt = pushed.get();
        System.out.println("WebSocketTest: slow reader stalled the backend after " + (stalledAt >> 10) + " KiB");
        assertTrue(stalledAt < (64L << 20), "the backend is stalled by backpressure after at most socket buffers' worth: " + (stalledAt >> 20) + " MiB");
        s.close();
        awaitTunnels(0);
    }

    @Test
    void fiveHundredConcurrentWebSocketsAllExchangeMessages() throws Exception {
        List<CompletableFuture<WsClient>> opening = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            opening.add(WsClient.open(http, wss("/ws")));
        }
        List<WsClient> clients = new ArrayList<>();
        for (CompletableFuture<WsClient> f : opening) {
            clients.add(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(500, proxy.counters().openTunnels(), "500 tunnels open at once");
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).socket.sendText("hello " + i, true);
        }
        for (int i = 0; i < clients.size(); i++) {
            assertEquals("hello " + i, clients.get(i).next(), "client " + i + " got its own echo");
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.println("WebSocketTest: 500 open WebSockets, heap used " + ((rt.totalMemory() - rt.freeMemory()) >> 20)
                + " MiB (test JVM: clients, proxy and backend together)");
        for (WsClient c : clients) {
            c.socket.abort();
        }
        awaitTunnels(0);
    }

    private static void awaitTunnels(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (proxy.counters().openTunnels() != n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(n, proxy.counters().openTunnels(), "closing either side closes the tunnel and the count follows");
    }
}
