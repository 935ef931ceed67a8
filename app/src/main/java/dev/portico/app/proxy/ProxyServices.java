package dev.portico.app.proxy;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The process-wide pieces every client connection shares: the upstream pool, the balancer and the
 * counters. Built once by the lead and given to both initializers. Thread-safe.
 */
public record ProxyServices(UpstreamPool pool, UpstreamBalancer balancer, ProxyCounters counters) {
    public ProxyServices {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(balancer, "balancer");
        Objects.requireNonNull(counters, "counters");
    }

    /** Defaults: 64 idle connections per upstream per event loop kept 60 s; a refusing upstream sits out 10 s. */
    public static ProxyServices create(Clock clock) {
        return new ProxyServices(new UpstreamPool(64, Duration.ofSeconds(60)),
                new UpstreamBalancer(clock, Duration.ofSeconds(10)), new ProxyCounters());
    }
}
