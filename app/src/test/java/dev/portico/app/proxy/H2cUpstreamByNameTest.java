package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2FrameStream;
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
            for (int i = 0; i < 3; i++) {
                Http2FrameStream stream = client.headers(new DefaultHttp2Headers().method("POST").scheme("https")
                        .authority("localhost").path("/echo.Echo/Unary").set("content-type", "application/grpc"), false);
                client.data(stream, GrpcStyleBackend.message("u" + i), true);
            }
            int succeeded = 0;
            while (succeeded < 3) {
                H2FrameClient.Event event = client.next(10);
                assertFalse(event.kind().equals("RST_STREAM"), "no stream is reset: " + event);
                if (event.kind().equals("HEADERS") && event.headers().contains("grpc-status")) {
                    assertEquals("0", String.valueOf(event.headers().get("grpc-status")), "each call succeeds");
                    succeeded++;
                }
            }
            assertEquals(1, backend.connections.get(), "the name resolved once into one upstream connection");
        }
    }
}
