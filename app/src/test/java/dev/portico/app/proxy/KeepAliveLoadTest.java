package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteOptions;
import dev.portico.tls.testing.Await;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 10,000 keep-alive requests over 50 concurrent connections: no errors, upstream connections reused. */
@Timeout(60)
class KeepAliveLoadTest {
    private static final RouteOptions SERVE = new RouteOptions(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(30), true, RouteOptions.HttpBehaviour.SERVE, Optional.empty());

    @Test
    void tenThousandRequestsOverFiftyConnectionsReuseUpstreamConnections() throws Exception {
        try (EchoBackend backend = new EchoBackend("load");
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.proxy("localhost", "/", SERVE, backend.port())))) {
            HttpClient http = WsClient.client();
            // Port 80 with a SERVE route: this measures keep-alive and pooling, not TLS (tested elsewhere),
            // and stays within the time budget under paranoid leak detection on a busy 2-core machine.
            URI base = URI.create("http://localhost:" + proxy.httpPort());
            long start = System.nanoTime();
            AtomicInteger errors = new AtomicInteger();
            AtomicInteger ok = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(50);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 50; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        String path = "/t" + thread + "/" + i;
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200 && r.body().equals("hello from load " + path)) {
                                ok.incrementAndGet();
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
            threads.shutdown();
            assertEquals(0, errors.get(), "every request succeeds");
            assertEquals(10_000, ok.get(), "every response is the right one");
            assertEquals(10_000, backend.requests.get(), "each request reached the backend once");
            int upstream = backend.accepted.get();
            System.out.println("KeepAliveLoadTest: 10000 requests in " + (System.nanoTime() - start) / 1_000_000
                    + " ms, backend accepted " + upstream + " connections");
            // The count drops when the server side finishes its last flush, which can come just after
            // the client has read the response: await it rather than read it once.
            Await.until(Duration.ofSeconds(5), "no exchange is left in flight once every response has arrived",
                    () -> proxy.counters().inFlight() == 0);
            assertTrue(upstream <= 60, "upstream connections are pooled and reused, not one per request: " + upstream);
        }
    }
}
