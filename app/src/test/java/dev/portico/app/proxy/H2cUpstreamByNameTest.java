package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code h2c://} upstream named by host name, not address: its connections go through the name
 * resolver (the asynchronous one, see UpstreamResolvers), which IP-literal upstreams skip.
 */
@Timeout(30)
class H2cUpstreamByNameTest {

    @Test
    void callsReachAnH2cUpstreamNamedLocalhostOverOneConnection() throws Exception {
        try (GrpcStyleBackend backend = new GrpcStyleBackend();
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.route("localhost", "/",
                     new RouteAction.Proxy(List.of(new RouteAction.Upstream(URI.create("h2c://localhost:" + backend.port()),
                             "localhost", backend.port(), true))), RouteOptions.DEFAULTS)),
                     ServerLimits.DEFAULTS, List.of(), 1, TestTls.INSTANCE.frontH2());
             H2FrameClient client = H2FrameClient.tls(proxy.httpsPort(), "localhost")) {
            GrpcStyleBackend.unaryCalls(client, 3);
            assertEquals(1, backend.connections.get(), "the name resolved once into one upstream connection");
        }
    }
}
