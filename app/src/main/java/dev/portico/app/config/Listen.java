package dev.portico.app.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Listener addresses. {@code https} is required; {@code http} (ACME HTTP-01 challenges and redirects
 * to HTTPS) and {@code admin} (health, readiness, metrics; loopback by default) may be switched off.
 */
public record Listen(InetSocketAddress https, Optional<InetSocketAddress> http, Optional<InetSocketAddress> admin) {
    public Listen {
        Objects.requireNonNull(https, "https");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(admin, "admin");
    }
}
