package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portico.app.config.RouteAction.Upstream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamBalancerTest {
    private static final Upstream A = upstream(8001);
    private static final Upstream B = upstream(8002);
    private static final Upstream C = upstream(8003);

    private final UpstreamBalancer balancer = new UpstreamBalancer(
            Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC), Duration.ofSeconds(10));

    @Test
    void takesTurnsAndTriesAnUpstreamThatRefusedLast() {
        List<Upstream> abc = List.of(A, B, C);
        assertEquals(List.of(A, B, C), balancer.order(abc));
        assertEquals(List.of(B, C, A), balancer.order(abc));

        balancer.markDown(C);
        assertEquals(List.of(A, B, C), balancer.order(abc), "C's turn, but it refused: tried last");
        assertEquals(List.of(A, B, C), balancer.order(abc), "A's turn");
        balancer.markUp(C);
        assertEquals(List.of(B, C, A), balancer.order(abc), "B's turn, C healthy again: no longer moved last");
    }

    @Test
    void aReloadForgetsTheTurnAndHealthOfListsNoLongerRouted() {
        List<Upstream> abc = List.of(A, B, C);
        List<Upstream> ab = List.of(A, B);
        balancer.order(abc);
        balancer.order(ab);
        balancer.markDown(C);

        balancer.retainOnly(List.of(ab));

        assertEquals(List.of(B, A), balancer.order(ab), "a list still routed keeps its turn");
        assertEquals(List.of(A, B, C), balancer.order(abc),
                "a list no longer routed starts over, and C's refusal before the reload is forgotten");
    }

    private static Upstream upstream(int port) {
        return new Upstream(URI.create("http://127.0.0.1:" + port), "127.0.0.1", port, false);
    }
}
