package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Host and SNI checks on HTTPS, port 80's ACME challenges, redirects and SERVE, and live route swaps. */
@Timeout(30)
class HostRoutingTest {
    static EchoBackend a;
    static EchoBackend b;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        a = new EchoBackend("a");
        b = new EchoBackend("b");
        RouteOptions serve = new RouteOptions(1024, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());
        proxy = new ProxyFixture(List.of(
                ProxyFixture.proxy("a.test", a.port()),
                ProxyFixture.proxy("b.test", b.port()),
                ProxyFixture.proxy("b.test", "/plain", serve, b.port()),
                ProxyFixture.proxy("*.wild.test", a.port())));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    private static String https(String sni, String host, String path) {
        // Closed explicitly: an unclosed SSLSocket's finalizer waits for the peer's close_notify.
        try (Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), sni)) {
            RawClient.send(s, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            return RawClient.readResponse(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String http(String host, String path) {
        try (Socket s = RawClient.plain(proxy.httpPort())) {
            RawClient.send(s, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            return RawClient.readResponse(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void hostSelectsTheRouteAndWildcardCoversOneLabel() {
        { String r = https("a.test", "a.test", "/x"); assertTrue(r.endsWith("hello from a /x"), "exact host routes to a" + ": " + r); }
        { String r = https("b.test", "b.test", "/x"); assertTrue(r.endsWith("hello from b /x"), "exact host routes to b" + ": " + r); }
        { String r = https("x.wild.test", "x.wild.test", "/"); assertTrue(r.endsWith("hello from a /"), "*.wild.test covers x.wild.test" + ": " + r); }
        { String r = https("a.test", "A.TEST.", "/"); assertTrue(r.endsWith("hello from a /"), "Host is compared normalized (case, trailing dot)" + ": " + r); }
    }

    @Test
    void unknownSniNameIsMisdirected421() {
        String response = https("other.test", "other.test", "/");
        assertTrue(response.startsWith("HTTP/1.1 421 "), response + "an SNI name no route serves means a misdirected connection: " + response);
    }

    @Test
    void unroutedHostWithRoutedSniIs421BecauseTheyDiffer() {
        String response = https("a.test", "nowhere.test", "/");
        assertTrue(response.startsWith("HTTP/1.1 404 "), "a Host no route serves is 404: " + response);
    }

    @Test
    void hostAndSniOfDifferentRoutesIs421() {
        String response = https("a.test", "b.test", "/");
        assertTrue(response.startsWith("HTTP/1.1 421 "), "SNI a.test with Host b.test must not reach b: " + response);
    }

    @Test
    void keptAliveConnectionServesTheNextRequestAfterALocalAnswer() throws Exception {
        try (Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), null)) {
            RawClient.send(s, "GET / HTTP/1.1\r\nHost: nowhere.test\r\n\r\n");
            String first = RawClient.readResponse(s);
            assertTrue(first.startsWith("HTTP/1.1 404 "), first);
            RawClient.send(s, "GET /next HTTP/1.1\r\nHost: a.test\r\n\r\n");
            String second = RawClient.readResponse(s);
            assertTrue(second.endsWith("hello from a /next"), "an answer made by the proxy itself must reopen the gate: " + second);
        }
    }

    @Test
    void noSniRoutesByHostAlone() {
        { String r = https(null, "b.test", "/n"); assertTrue(r.endsWith("hello from b /n"), "without SNI the Host decides" + ": " + r); }
    }

    @Test
    void port80AnswersAcmeChallengesForAnyHost() {
        proxy.acme.put("tok_en-1", "tok_en-1.thumbprint");
        String known = http("unrouted.test", "/.well-known/acme-challenge/tok_en-1");
        assertTrue(known.startsWith("HTTP/1.1 200 OK\r\n") && known.endsWith("\r\n\r\ntok_en-1.thumbprint"), known);
        String unknown = http("a.test", "/.well-known/acme-challenge/unknown");
        assertTrue(unknown.startsWith("HTTP/1.1 404 "), "an unknown token is 404: " + unknown);
        assertTrue(!unknown.contains("unknown\n") && !unknown.contains("unknown\r"), "the token is not echoed: " + unknown);
    }

    @Test
    void port80RedirectsWithTheHttpsPortServesServeRoutesAnd404sUnrouted() {
        String redirect = http("a.test:80", "/p?q=1");
        assertTrue(redirect.startsWith("HTTP/1.1 308 Permanent Redirect\r\n"), redirect);
        assertTrue(redirect.contains("location: https://a.test:" + proxy.httpsPort() + "/p?q=1\r\n"),
                "the Location names the HTTPS listener's port when it is not 443: " + redirect);
        { String r = http("b.test", "/plain/x"); assertTrue(r.endsWith("hello from b /plain/x"), "a SERVE route is proxied on port 80" + ": " + r); }
        assertTrue(http("nowhere.test", "/").startsWith("HTTP/1.1 404 "), "unrouted host on port 80 is 404");
    }

    @Test
    void aRequestUsesTheTableCurrentAtItsArrivalOnAKeptAliveConnection() throws Exception {
        try (Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test")) {
            sameConnectionSeesNewTable(s);
        }
    }

    private void sameConnectionSeesNewTable(Socket s) {
        RawClient.send(s, "GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertTrue(RawClient.readResponse(s).endsWith("hello from a /1"), "first request under the old table");
        try {
            proxy.routes(List.of(ProxyFixture.proxy("a.test", b.port()), ProxyFixture.proxy("b.test", b.port())));
            RawClient.send(s, "GET /2 HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertEquals(true, RawClient.readResponse(s).endsWith("hello from b /2"), "the next request on the same connection sees the new table");
        } finally {
            proxy.routes(List.of(ProxyFixture.proxy("a.test", a.port()), ProxyFixture.proxy("b.test", b.port()),
                    ProxyFixture.proxy("b.test", "/plain", new RouteOptions(1024, Duration.ofSeconds(2), Duration.ofSeconds(5),
                            Duration.ofSeconds(30), Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty()), b.port()),
                    ProxyFixture.proxy("*.wild.test", a.port())));
        }
    }

    @Test
    void respondActionIsAvailableWithoutBackend() {
        proxy.routes(List.of(ProxyFixture.route("a.test", "/", new RouteAction.Respond(200, "fixed", List.of()), RouteOptions.DEFAULTS)));
        try {
            { String r = https("a.test", "a.test", "/"); assertTrue(r.endsWith("fixed"), "respond route answers itself" + ": " + r); }
        } finally {
            start2();
        }
    }

    private static void start2() {
        proxy.routes(List.of(ProxyFixture.proxy("a.test", a.port()), ProxyFixture.proxy("b.test", b.port()),
                ProxyFixture.proxy("b.test", "/plain", new RouteOptions(1024, Duration.ofSeconds(2), Duration.ofSeconds(5),
                        Duration.ofSeconds(30), Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty()), b.port()),
                ProxyFixture.proxy("*.wild.test", a.port())));
    }
}
