package dev.portico.app.proxy;

import dev.portico.app.observe.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The process-wide pieces every client connection shares: the upstream pool, the h2c connections, the balancer, the
 * counters and the metrics. Built once by the lead and given to both initializers. Thread-safe.
 */
public record ProxyServices(UpstreamPool pool, H2cConnections h2c, UpstreamBalancer balancer, ProxyCounters counters, Metrics metrics,
        Clock clock) {
    public ProxyServices {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(h2c, "h2c");
        Objects.requireNonNull(balancer, "balancer");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(clock, "clock");
    }

    /** Defaults (see {@link #create(Clock, Metrics)}) with metrics of their own. */
    public static ProxyServices create(Clock clock) {
        return create(clock, new Metrics());
    }

    /**
     * Defaults: 64 idle connections per upstream per event loop kept 60 s; one HTTP/2 connection per h2c
     * upstream per event loop; a refusing upstream sits out 10 s.
     */
    public static ProxyServices create(Clock clock, Metrics metrics) {
        return new ProxyServices(new UpstreamPool(64, Duration.ofSeconds(60)), new H2cConnections(),
                new UpstreamBalancer(clock, Duration.ofSeconds(10)), new ProxyCounters(), metrics, clock);
    }
}
