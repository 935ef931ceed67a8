package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * One route as read, before the whole-document checks decide its certificate: keeps the nodes that
 * later problems point at. A route with problems of its own still takes part in those checks, so
 * that a duplicate or a disagreement is reported in the same run.
 *
 * @param action empty when the route's action has a problem (already reported)
 * @param tls the route's own {@code tls} value, when it has a valid one
 * @param tlsInvalid whether {@code tls} was written but has a problem (already reported)
 * @param tlsNode where {@code tls} was written (the host node when it was not)
 */
record RouteDraft(
        int index,
        HostPattern host,
        Node hostNode,
        String pathPrefix,
        Optional<RouteAction> action,
        Optional<CertificateSource> tls,
        boolean tlsInvalid,
        Node tlsNode,
        RouteOptions options,
        Origin origin) {

    String path() {
        return "routes[" + index + "]";
    }

    /** The route; only called when the document has no problem, so the action is there. */
    Route toRoute(CertificateSource certificate) {
        return new Route(host, pathPrefix, action.orElseThrow(), certificate, options, origin);
    }
}
