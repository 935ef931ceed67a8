package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The checks that need all routes at once, and the choice of each host's certificate source.
 * Single-threaded, control plane.
 */
final class RouteChecks {
    private final Problems problems;
    private final boolean acmeSection;
    private final Node httpOff;

    /**
     * @param acmeSection whether the document has an {@code acme} section (even a faulty one, so that
     *     its own problems are not repeated as "no acme section")
     * @param httpOff where {@code listen.http: off} was written, or null when port 80 is on
     */
    RouteChecks(Problems problems, boolean acmeSection, Node httpOff) {
        this.problems = problems;
        this.acmeSection = acmeSection;
        this.httpOff = httpOff;
    }

    /** The routes with their certificate sources; problems reported along the way. */
    List<Route> check(List<RouteDraft> drafts) {
        duplicates(drafts);
        Map<HostPattern, List<RouteDraft>> byHost = new LinkedHashMap<>();
        for (RouteDraft d : drafts) {
            byHost.computeIfAbsent(d.host(), h -> new ArrayList<>()).add(d);
        }
        Map<HostPattern, CertificateSource> sources = new HashMap<>();
        byHost.forEach((host, routes) -> certificate(host, routes).ifPresent(c -> sources.put(host, c)));
        if (httpOff != null) {
            portEightyNeeded(drafts, sources);
        }
        List<Route> routes = new ArrayList<>();
        for (RouteDraft d : drafts) {
            CertificateSource source = sources.get(d.host());
            if (source != null && d.action().isPresent()) {
                routes.add(d.toRoute(source));
            }
        }
        return routes;
    }

    private void duplicates(List<RouteDraft> drafts) {
        Map<String, RouteDraft> seen = new HashMap<>();
        for (RouteDraft d : drafts) {
            RouteDraft first = seen.putIfAbsent(d.host() + " " + d.pathPrefix(), d);
            if (first != null) {
                problems.add(d.hostNode(), d.path(), "duplicate route: host " + d.host() + " with path " + d.pathPrefix()
                        + " is already routed by " + first.path() + " at line " + first.origin().line());
            }
        }
    }

    /** The host's source: its routes' explicit {@code tls} (which must agree), else the default rule. */
    private Optional<CertificateSource> certificate(HostPattern host, List<RouteDraft> routes) {
        if (routes.stream().anyMatch(RouteDraft::tlsInvalid)) {
            return Optional.empty(); // its problem is reported; guessing a source would only add noise
        }
        RouteDraft first = routes.stream().filter(r -> r.tls().isPresent()).findFirst().orElse(null);
        if (first == null) {
            return defaultSource(host, routes.get(0));
        }
        boolean agree = true;
        for (RouteDraft r : routes) {
            if (r.tls().isPresent() && !r.tls().equals(first.tls())) {
                Origin there = problems.at(first.tlsNode());
                problems.add(r.tlsNode(), r.path() + ".tls", "is " + describe(r.tls().get()) + " but " + first.path()
                        + ".tls at line " + there.line() + ":" + there.column() + " is " + describe(first.tls().get())
                        + " for the same host " + host + " (every route of one host shares one certificate)");
                agree = false;
            }
        }
        CertificateSource source = first.tls().get();
        if (source instanceof CertificateSource.Acme) {
            agree &= acmeAllowed(host, first);
        }
        return agree ? Optional.of(source) : Optional.empty();
    }

    private boolean acmeAllowed(HostPattern host, RouteDraft route) {
        String path = route.path() + ".tls";
        if (!acmeSection) {
            problems.add(route.tlsNode(), path, "acme needs an 'acme' section (at least email and agree_to_terms: true)");
            return false;
        }
        if (host.wildcard()) {
            problems.add(route.tlsNode(), path, wildcardReason(host) + "; use tls: { cert, key }, { pkcs12 } or internal");
            return false;
        }
        Optional<String> why = PublicName.whyNot(host);
        if (why.isPresent()) {
            problems.add(route.tlsNode(), path, "acme cannot issue for " + host + ", " + why.get()
                    + " (a public CA only issues for public names; use internal, or omit tls)");
            return false;
        }
        return true;
    }

    private Optional<CertificateSource> defaultSource(HostPattern host, RouteDraft route) {
        if (!acmeSection || PublicName.whyNot(host).isPresent()) {
            return Optional.of(new CertificateSource.Internal());
        }
        if (host.wildcard()) {
            problems.add(route.hostNode(), route.path() + ".host", wildcardReason(host)
                    + "; say where its certificate comes from: tls: { cert, key }, { pkcs12 } or internal");
            return Optional.empty();
        }
        return Optional.of(new CertificateSource.Acme());
    }

    private static String wildcardReason(HostPattern host) {
        return host + " is a wildcard, and ACME HTTP-01 cannot issue wildcard certificates (the CA requires DNS-01 for them)";
    }

    private void portEightyNeeded(List<RouteDraft> drafts, Map<HostPattern, CertificateSource> sources) {
        for (RouteDraft d : drafts) {
            if (sources.get(d.host()) instanceof CertificateSource.Acme) {
                problems.add(httpOff, "listen.http", "is off, but " + d.host() + " (" + d.path() + ") gets its certificate"
                        + " over ACME HTTP-01, which the CA checks on port 80 (turn the http listener on)");
                return;
            }
        }
        for (RouteDraft d : drafts) {
            if (d.options().httpBehaviour() == RouteOptions.HttpBehaviour.SERVE) {
                problems.add(httpOff, "listen.http", "is off, but " + d.path() + " at line " + d.origin().line()
                        + " sets http: serve (turn the http listener on, or remove http: serve)");
                return;
            }
        }
    }

    /** A short, secret-free name of a source for messages. */
    static String describe(CertificateSource source) {
        if (source instanceof CertificateSource.PemFiles p) {
            return "{ cert: " + p.certificateChain().getFileName() + ", key: " + p.privateKey().getFileName() + " }";
        }
        if (source instanceof CertificateSource.Pkcs12File p) {
            return "{ pkcs12: " + p.file().getFileName() + " }";
        }
        return source instanceof CertificateSource.Acme ? "acme" : "internal";
    }
}
