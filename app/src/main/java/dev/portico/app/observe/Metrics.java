package dev.portico.app.observe;

import dev.portico.acme.CertificateState;
import dev.portico.tls.sni.InstalledCertificate;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Every metric Portico exports, in Prometheus' own client library, served as text at the admin
 * listener's {@code /metrics}. Updates are lock-free (adders) and safe from event loops; label values
 * come from the config (routes, listeners) or small fixed sets, so cardinality stays bounded.
 */
public final class Metrics {
    /** Latency buckets in seconds: sub-millisecond proxying up to slow backends. */
    private static final double[] LATENCY_BUCKETS = {
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Counter upstreamErrors;
    private final Gauge connections;
    private final Counter handshakes;
    private final Counter reloads;
    /** Each route's data points, looked up once: a label lookup per request would allocate. */
    private final ConcurrentHashMap<String, RouteSeries> routeSeries = new ConcurrentHashMap<>();

    /** One route's request counters (by status class) and latency histogram. */
    private record RouteSeries(CounterDataPoint[] byClass, DistributionDataPoint latency) {}

    public Metrics() {
        requests = Counter.builder().name("portico_requests_total")
                .help("Requests answered, by route and status class.")
                .labelNames("route", "code").register(registry);
        latency = Histogram.builder().name("portico_request_duration_seconds")
                .help("Time from request head received to response complete, by route.")
                .labelNames("route").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        upstreamErrors = Counter.builder().name("portico_upstream_errors_total")
                .help("Requests the proxy answered itself because a backend failed: 502 (refused, invalid) or 504 (timeout).")
                .labelNames("route", "code").register(registry);
        connections = Gauge.builder().name("portico_open_connections")
                .help("Client connections open now, by listener.").labelNames("listener").register(registry);
        handshakes = Counter.builder().name("portico_tls_handshakes_total")
                .help("TLS handshakes, by result and failure reason.").labelNames("result", "reason").register(registry);
        reloads = Counter.builder().name("portico_config_reloads_total")
                .help("Config reloads, by result (applied, rejected).").labelNames("result").register(registry);
    }

    /** Adds the JVM's own metrics (memory, GC, threads, buffer pools: direct memory is Netty's). */
    public Metrics withJvmMetrics() {
        JvmMetrics.builder().register(registry);
        return this;
    }

    /**
     * Registers the gauges read at scrape time from live state: in-flight requests, open tunnels,
     * certificate expiry and ACME state. Called once at start, control plane.
     */
    public void bindLiveState(IntSupplier inFlight, IntSupplier tunnels, Supplier<List<InstalledCertificate>> served,
            Supplier<List<CertificateState>> acme) {
        GaugeWithCallback.builder().name("portico_inflight_requests")
                .help("Requests between head received and response complete.")
                .callback(cb -> cb.call(inFlight.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("portico_open_tunnels")
                .help("Upgraded connections (WebSocket and others) relaying now.")
                .callback(cb -> cb.call(tunnels.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("portico_certificate_not_after_seconds")
                .help("Expiry of the certificate served for each name (Unix time), by source.")
                .labelNames("name", "source")
                .callback(cb -> {
                    for (InstalledCertificate c : served.get()) {
                        cb.call(c.notAfter().getEpochSecond(), c.name().toString(), c.source());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("portico_acme_next_renewal_seconds")
                .help("When the next ACME order or renewal check is due (Unix time), by certificate.")
                .labelNames("names")
                .callback(cb -> {
                    for (CertificateState s : acme.get()) {
                        s.nextRenewal().ifPresent(t -> cb.call(t.getEpochSecond(), String.join(",", s.names().stream().sorted().toList())));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("portico_acme_failing")
                .help("1 while the last ACME attempt for a certificate failed, else 0.")
                .labelNames("names")
                .callback(cb -> {
                    for (CertificateState s : acme.get()) {
                        cb.call(s.lastError().isPresent() ? 1 : 0, String.join(",", s.names().stream().sorted().toList()));
                    }
                }).register(registry);
    }

    /** One answered request. Event loop; lock-free. */
    public void request(String route, int status, long nanos) {
        RouteSeries series = routeSeries.get(route);
        if (series == null) {
            series = routeSeries.computeIfAbsent(route, this::newSeries);
        }
        series.byClass()[status >= 100 && status < 600 ? status / 100 - 1 : 4].inc();
        series.latency().observe(nanos / 1e9);
        if (status == 502 || status == 504) {
            upstreamErrors.labelValues(route, Integer.toString(status)).inc();
        }
    }

    private RouteSeries newSeries(String route) {
        CounterDataPoint[] byClass = new CounterDataPoint[STATUS_CLASSES.length];
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = requests.labelValues(route, STATUS_CLASSES[i]);
        }
        return new RouteSeries(byClass, latency.labelValues(route));
    }

    public void connectionOpened(String listener) {
        connections.labelValues(listener).inc();
    }

    public void connectionClosed(String listener) {
        connections.labelValues(listener).dec();
    }

    public void handshake(boolean ok, String reason) {
        handshakes.labelValues(ok ? "ok" : "failed", reason).inc();
    }

    public void reload(boolean applied) {
        reloads.labelValues(applied ? "applied" : "rejected").inc();
    }

    /** The Prometheus text exposition of every metric. Any thread; allocates (scrapes are rare). */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
