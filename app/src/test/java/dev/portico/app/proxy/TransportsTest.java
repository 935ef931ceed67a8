package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import dev.portico.app.observe.Metrics;
import dev.portico.app.server.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy on each socket transport this machine offers (io_uring, epoll, NIO), for HTTP/1.1 and
 * HTTP/2 clients, to an upstream named by host name and found by a real DNS query (a server of the
 * test's own): the resolver's datagram channel must be of the loop's transport, also when the request
 * came on an HTTP/2 stream, a channel that is no socket.
 */
@Timeout(60)
class TransportsTest {
    private static final String NAME = "backend.portico.test";

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void upstreamFoundByDnsServesHttp11AndH2Clients(String name) throws Exception {
        Transport transport = Transport.best(name);
        assumeTrue(transport.name().equals(name), name + " is not available on this machine");
        Clock clock = Clock.systemUTC();
        try (TinyDns dns = new TinyDns(NAME);
             EchoBackend backend = new EchoBackend("named");
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.route("localhost", "/",
                     new RouteAction.Proxy(List.of(new RouteAction.Upstream(URI.create("http://" + NAME + ":" + backend.port()),
                             NAME, backend.port(), false))), RouteOptions.DEFAULTS)),
                     ServerLimits.DEFAULTS, List.of(), 1, TestTls.INSTANCE.frontH2(), transport,
                     new ProxyServices(new UpstreamPool(64, Duration.ofSeconds(60), new UpstreamResolvers(dns.nameServers())),
                             new H2cConnections(), new UpstreamBalancer(clock, Duration.ofSeconds(10)), new ProxyCounters(),
                             new Metrics(), clock))) {
            URI uri = URI.create("https://localhost:" + proxy.httpsPort() + "/headers");
            // HTTP/2 first: its first request makes the upstream connection, so the lookup is asked from a stream.
            for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
                HttpClient client = HttpClient.newBuilder().sslContext(TestTls.INSTANCE.client).version(version).build();
                for (int i = 0; i < 2; i++) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), name + " " + version + ": " + response.body());
                    assertEquals(version, response.version(), "ALPN");
                    assertTrue(response.body().startsWith("GET /headers\n"), name + " " + version + ": " + response.body());
                }
            }
            assertTrue(dns.aQueries.get() >= 1, "the name was looked up in DNS, not in /etc/hosts");
        }
    }
}
