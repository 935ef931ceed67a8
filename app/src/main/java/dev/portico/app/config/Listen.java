package dev.portico.app.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Listener addresses. {@code https} is required; {@code http} (ACME HTTP-01 challenges and redirects
 * to HTTPS) and {@code admin} (health, readiness, metrics; loopback by default) may be switched off.
 *
 * @param publicHttpsPort the port clients reach HTTPS on when it differs from the listener's (NAT, a
 *     Kubernetes Service mapping 443 to 8443): redirects from port 80 name it. Empty: the listener's port.
 */
public record Listen(InetSocketAddress https, Optional<InetSocketAddress> http, Optional<InetSocketAddress> admin,
        OptionalInt publicHttpsPort) {
    public Listen {
        Objects.requireNonNull(https, "https");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(publicHttpsPort, "publicHttpsPort");
    }

    /** Listeners whose HTTPS port is the one clients use. */
    public Listen(InetSocketAddress https, Optional<InetSocketAddress> http, Optional<InetSocketAddress> admin) {
        this(https, http, admin, OptionalInt.empty());
    }
}
