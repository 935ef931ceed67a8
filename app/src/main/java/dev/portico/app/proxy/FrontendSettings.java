package dev.portico.app.proxy;

import dev.portico.app.config.Cidr;
import dev.portico.app.config.PorticoConfig;
import dev.portico.app.config.ServerLimits;
import dev.portico.app.routing.RouteTable;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What the client-facing pipelines read from the current configuration: routes, trusted proxies,
 * listener limits. Immutable; a reload builds a new one and the lead swaps it behind the
 * {@code Supplier} given to the initializers. Routes and trusted proxies are read once per request;
 * limits once per connection.
 */
public record FrontendSettings(RouteTable routes, List<Cidr> trustedProxies, ServerLimits limits) {
    public FrontendSettings {
        Objects.requireNonNull(routes, "routes");
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(limits, "limits");
    }

    /** The settings of a whole configuration. Control plane (builds the route index). */
    public static FrontendSettings from(PorticoConfig config) {
        return new FrontendSettings(RouteTable.of(config.routes()), config.trustedProxies(), config.limits());
    }

    /** True when {@code address} lies in a trusted proxy range. */
    public boolean trusted(InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
