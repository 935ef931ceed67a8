package dev.portico.app.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole validated configuration: one immutable snapshot built from {@code routes.yaml}. A reload
 * builds a new one and swaps it in; nothing here changes after construction.
 */
public record PorticoConfig(
        Listen listen,
        Path storage,
        TlsSettings tls,
        Optional<AcmeSettings> acme,
        List<Cidr> trustedProxies,
        ServerLimits limits,
        List<Route> routes) {

    public PorticoConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(acme, "acme");
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(limits, "limits");
        routes = List.copyOf(routes);
    }
}
