package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * One route as read, before the whole-document checks decide its certificate: keeps the nodes that
 * later problems point at.
 *
 * @param tls the route's own {@code tls} value, when it has one
 * @param tlsNode where {@code tls} was written (the host node when it was not)
 */
record RouteDraft(
        int index,
        HostPattern host,
        Node hostNode,
        String pathPrefix,
        RouteAction action,
        Optional<CertificateSource> tls,
        Node tlsNode,
        RouteOptions options,
        Origin origin) {

    String path() {
        return "routes[" + index + "]";
    }

    Route toRoute(CertificateSource certificate) {
        return new Route(host, pathPrefix, action, certificate, options, origin);
    }
}
