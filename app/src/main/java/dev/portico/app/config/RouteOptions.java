package dev.portico.app.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-route limits, timeouts and behaviour, each with a default a user of nginx or Caddy would expect.
 *
 * @param maxRequestBody a request body larger than this is answered {@code 413}
 * @param connectTimeout connecting to an upstream; past it the next upstream is tried, then {@code 502}
 * @param responseHeaderTimeout the upstream's response head must arrive within this after the request was sent, else {@code 504}
 * @param idleTimeout no byte either way on an exchange for this long closes it
 * @param upgradeIdleTimeout no byte either way on an upgraded tunnel (WebSocket) for this long closes it
 * @param allowUpgrade whether {@code Upgrade} requests (WebSocket) are forwarded; else {@code 400}
 * @param httpBehaviour what port 80 does for this host
 * @param hsts {@code Strict-Transport-Security} max-age to add to HTTPS responses, if any
 */
public record RouteOptions(
        long maxRequestBody,
        Duration connectTimeout,
        Duration responseHeaderTimeout,
        Duration idleTimeout,
        Duration upgradeIdleTimeout,
        boolean allowUpgrade,
        HttpBehaviour httpBehaviour,
        Optional<Duration> hsts) {

    public static final RouteOptions DEFAULTS = new RouteOptions(
            100L * 1024 * 1024,
            Duration.ofSeconds(5),
            Duration.ofSeconds(60),
            Duration.ofSeconds(300),
            Duration.ofHours(1),
            true,
            HttpBehaviour.REDIRECT,
            Optional.empty());

    public RouteOptions {
        if (maxRequestBody < 0) {
            throw new IllegalArgumentException("maxRequestBody: " + maxRequestBody + " (expected: >= 0)");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseHeaderTimeout, "responseHeaderTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(upgradeIdleTimeout, "upgradeIdleTimeout");
        Objects.requireNonNull(httpBehaviour, "httpBehaviour");
        Objects.requireNonNull(hsts, "hsts");
    }

    /** Port 80: {@code 308} to HTTPS (default), or serve the route over plain HTTP too. */
    public enum HttpBehaviour { REDIRECT, SERVE }
}
