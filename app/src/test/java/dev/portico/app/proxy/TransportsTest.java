package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import dev.portico.app.server.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy on each socket transport this machine offers (io_uring, epoll, NIO), for HTTP/1.1 and
 * HTTP/2 clients, to an upstream named by host name, so that its connects take the resolver path.
 * ({@code localhost} comes from /etc/hosts: no DNS query, so the resolver's datagram channel, which
 * must be of the loop's transport, is made but never used here.)
 */
@Timeout(60)
class TransportsTest {

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void namedUpstreamServesHttp11AndH2Clients(String name) throws Exception {
        Transport transport = Transport.best(name);
        assumeTrue(transport.name().equals(name), name + " is not available on this machine");
        try (EchoBackend backend = new EchoBackend("named");
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.route("localhost", "/",
                     new RouteAction.Proxy(List.of(new RouteAction.Upstream(URI.create("http://localhost:" + backend.port()),
                             "localhost", backend.port(), false))), RouteOptions.DEFAULTS)),
                     ServerLimits.DEFAULTS, List.of(), 2, TestTls.INSTANCE.frontH2(), transport)) {
            URI uri = URI.create("https://localhost:" + proxy.httpsPort() + "/headers");
            for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
                HttpClient client = HttpClient.newBuilder().sslContext(TestTls.INSTANCE.client).version(version).build();
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), name + " " + version + ": " + response.body());
                    assertEquals(version, response.version(), "ALPN");
                    assertTrue(response.body().startsWith("GET /headers\n"), name + " " + version + ": " + response.body());
                }
            }
        }
    }
}
