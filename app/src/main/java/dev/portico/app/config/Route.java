package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.util.Objects;

/**
 * One entry of {@code routes}: requests for {@code host} whose path starts with {@code pathPrefix}
 * (longest prefix wins; {@code "/"} matches everything) get {@code action}.
 */
public record Route(
        HostPattern host,
        String pathPrefix,
        RouteAction action,
        CertificateSource certificate,
        RouteOptions options,
        Origin origin) {

    public Route {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        if (!pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("pathPrefix: '" + pathPrefix + "' (expected to start with /)");
        }
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(origin, "origin");
    }
}
