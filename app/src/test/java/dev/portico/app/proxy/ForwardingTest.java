package dev.portico.app.proxy;

import static dev.portico.app.proxy.ProxyFixture.proxy;
import static dev.portico.app.proxy.ProxyFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.Cidr;
import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the backend receives and what the client gets back for ordinary proxied requests, byte-exact. */
@Timeout(30)
class ForwardingTest {
    static RecordingBackend recording;
    static EchoBackend echo;
    static ProxyFixture proxy;
    static ProxyFixture trustingProxy;

    @BeforeAll
    static void start() throws Exception {
        recording = RecordingBackend.answering(RecordingBackend.OK);
        echo = new EchoBackend("echo");
        RouteOptions hsts = new RouteOptions(1024, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.REDIRECT, Optional.of(Duration.ofDays(365)));
        List<dev.portico.app.config.Route> routes = List.of(
                proxy("a.test", recording.port()),
                proxy("a.test", "/echo", hsts, echo.port()),
                route("a.test", "/hello", new RouteAction.Respond(201, "hi there", List.of(Map.entry("X-A", "1"), Map.entry("X-A", "2"))), RouteOptions.DEFAULTS),
                route("a.test", "/moved", new RouteAction.Redirect("https://new.test{uri}?from={host}", 301), RouteOptions.DEFAULTS));
        proxy = new ProxyFixture(routes);
        trustingProxy = new ProxyFixture(routes, ServerLimits.DEFAULTS,
                List.of(new Cidr(InetAddress.getByName("127.0.0.0"), 8)), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        trustingProxy.close();
        recording.close();
        echo.close();
    }

    private static String get(ProxyFixture p, String request) {
        try (Socket s = TestTls.INSTANCE.connect(p.httpsPort(), "a.test")) {
            RawClient.send(s, request);
            return RawClient.readResponse(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void forwardsHostUnchangedAddsForwardingHeadersAndDropsHopByHop() {
        int before = recording.receivedAll().length();
        String response = get(proxy, "GET /x?q=1 HTTP/1.1\r\nHost: A.test:443\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "Forwarded: for=6.6.6.6\r\nX-Forwarded-Proto: http\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: h2c\r\nX-End: e\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), "the backend's answer is relayed: " + response);
        String got = awaitReceived(before);
        assertEquals("GET /x?q=1 HTTP/1.1\r\nHost: A.test:443\r\nX-End: e\r\n"
                        + "x-forwarded-for: 127.0.0.1\r\nx-forwarded-proto: https\r\nx-forwarded-host: A.test:443\r\n"
                        + "forwarded: for=127.0.0.1;host=\"A.test:443\";proto=https\r\n\r\n",
                got, "Host passes unchanged, client forwarding fields are replaced (untrusted peer) and hop-by-hop fields "
                        + "(Connection and what it names, Keep-Alive, Proxy-Connection, TE, Upgrade: h2c) never reach the backend");
    }

    @Test
    void trustedPeerKeepsAndExtendsTheForwardingChain() {
        int before = recording.receivedAll().length();
        get(trustingProxy, "GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 203.0.113.9\r\n"
                + "Forwarded: for=203.0.113.9\r\nX-Forwarded-Proto: http\r\n\r\n");
        String got = awaitReceived(before);
        assertTrue(got.contains("x-forwarded-for: 203.0.113.9, 127.0.0.1\r\n"), "a trusted proxy's chain is kept and the peer appended: " + got);
        assertTrue(got.contains("forwarded: for=203.0.113.9, for=127.0.0.1;host=a.test;proto=https\r\n"), "Forwarded is extended: " + got);
        assertTrue(got.contains("x-forwarded-proto: http\r\n"), "a trusted proxy's proto is kept: " + got);
    }

    @Test
    void ipv6NodesAreQuotedInForwarded() throws Exception {
        assertEquals("\"[::1]\"", ForwardingHeaders.forwardedNode(InetAddress.getByName("::1")),
                "RFC 7239 6: an IPv6 node is bracketed and quoted");
        assertEquals("192.0.2.1", ForwardingHeaders.forwardedNode(InetAddress.getByName("192.0.2.1")), "IPv4 is bare");
    }

    @Test
    void severalSetCookiesStaySeveralAndInOrderAndHstsIsAdded() {
        String response = get(proxy, "GET /echo/cookies HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertTrue(response.contains("set-cookie: a=1; Path=/\r\nX-Trace: first\r\nset-cookie: b=2; Path=/\r\nX-Trace: second\r\n"),
                "end-to-end headers keep their order and multiplicity: " + response);
        assertTrue(response.contains("strict-transport-security: max-age=31536000\r\n"), "route hsts is added on HTTPS: " + response);
    }

    @Test
    void respondRouteAnswersDirectlyWithConfiguredHeadersInOrder() {
        String response = get(proxy, "GET /hello HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 201 Created\r\n"), response);
        assertTrue(response.contains("X-A: 1\r\nX-A: 2\r\n"), "configured headers repeat in order: " + response);
        assertTrue(response.endsWith("\r\n\r\nhi there"), response);
    }

    @Test
    void redirectRouteSubstitutesUriAndHost() {
        String response = get(proxy, "GET /moved/p?x=1 HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 301 Moved Permanently\r\n"), response);
        assertTrue(response.contains("location: https://new.test/moved/p?x=1?from=a.test\r\n"), response);
    }

    @Test
    void absoluteFormUsesItsAuthorityAsHost() {
        int before = recording.receivedAll().length();
        get(proxy, "GET https://a.test/abs HTTP/1.1\r\nHost: ignored.test\r\n\r\n");
        String got = awaitReceived(before);
        assertTrue(got.startsWith("GET /abs HTTP/1.1\r\nhost: a.test\r\n"), "RFC 9112 3.2.2: origin-form and the target's authority: " + got);
        assertFalse(got.contains("ignored.test\r\n\r\n") && got.contains("Host: ignored"), got);
    }

    @Test
    void chunkedRequestIsReframedForTheBackend() {
        int before = recording.receivedAll().length();
        get(proxy, "POST /up HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        String got = awaitReceived(before, "0\r\n\r\n");
        assertTrue(got.contains("transfer-encoding: chunked\r\n"), got);
        assertTrue(got.endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), "the body arrives re-chunked: " + got);
    }

    private static String awaitReceived(int before) {
        return awaitReceived(before, "\r\n\r\n");
    }

    static String awaitReceived(int before, String end) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            String all = recording.receivedAll();
            if (all.length() > before && all.endsWith(end)) {
                return all.substring(before);
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the backend did not receive the request");
    }
}
