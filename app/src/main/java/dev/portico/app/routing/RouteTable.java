package dev.portico.app.routing;

import dev.portico.app.config.Route;
import dev.portico.tls.sni.HostPattern;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The routes of one configuration snapshot, indexed for the hot path: a request's host is looked up
 * exactly, then as a one-label wildcard ({@code *.parent}); within the host the longest matching
 * path prefix wins. Prefixes match whole segments: {@code /api} matches {@code /api} and
 * {@code /api/x} but not {@code /apix}; a prefix ending in {@code /} matches everything under it.
 *
 * <p>Immutable; safe on any thread. The frontend reads the current table once per request from a
 * {@code Supplier}, so a reload swaps in a new table without touching requests in flight.
 */
public final class RouteTable {
    private static final RouteTable EMPTY = new RouteTable(Map.of(), Map.of());

    private final Map<String, HostRoutes> exact;
    private final Map<String, HostRoutes> wildcards;

    private RouteTable(Map<String, HostRoutes> exact, Map<String, HostRoutes> wildcards) {
        this.exact = exact;
        this.wildcards = wildcards;
    }

    /** A table of {@code routes}; when two routes have the same host and prefix the first one wins. */
    public static RouteTable of(List<Route> routes) {
        Objects.requireNonNull(routes, "routes");
        Map<HostPattern, List<Route>> byHost = new LinkedHashMap<>();
        for (Route route : routes) {
            byHost.computeIfAbsent(route.host(), h -> new ArrayList<>()).add(route);
        }
        Map<String, HostRoutes> exact = new HashMap<>();
        Map<String, HostRoutes> wildcards = new HashMap<>();
        byHost.forEach((host, list) -> {
            HostRoutes hostRoutes = new HostRoutes(host, list);
            (host.wildcard() ? wildcards : exact).put(host.name(), hostRoutes);
        });
        return new RouteTable(Map.copyOf(exact), Map.copyOf(wildcards));
    }

    /** A table with no routes: every host is unrouted. */
    public static RouteTable empty() {
        return EMPTY;
    }

    /**
     * The routes of {@code host} (normalized, see {@link HostPattern#normalize}, without port), exact
     * entry first, then the wildcard covering it; null when the host is not routed. Any thread.
     */
    public HostRoutes host(String host) {
        if (host == null) {
            return null;
        }
        HostRoutes found = exact.get(host);
        if (found != null || wildcards.isEmpty()) {
            return found;
        }
        String parent = HostPattern.wildcardParentOf(host);
        return parent == null ? null : wildcards.get(parent);
    }

    /** The route for {@code host} and {@code path}, or null when none matches. Any thread. */
    public Route route(String host, String path) {
        HostRoutes hostRoutes = host(host);
        return hostRoutes == null ? null : hostRoutes.route(path);
    }

    /** True when no route is configured. */
    public boolean isEmpty() {
        return exact.isEmpty() && wildcards.isEmpty();
    }

    /** The routes of one host pattern, longest prefix first. Immutable. */
    public static final class HostRoutes {
        private final HostPattern pattern;
        private final Route[] byPrefixLength;
        /** {@code labels[i]} names {@code byPrefixLength[i]} in metrics and the access log. */
        private final String[] labels;

        HostRoutes(HostPattern pattern, List<Route> routes) {
            this.pattern = pattern;
            List<Route> sorted = new ArrayList<>(routes);
            // Stable sort: for equal prefixes the route written first stays first and wins.
            sorted.sort(Comparator.comparingInt((Route r) -> r.pathPrefix().length()).reversed());
            this.byPrefixLength = sorted.toArray(new Route[0]);
            this.labels = new String[byPrefixLength.length];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = byPrefixLength[i].host() + byPrefixLength[i].pathPrefix();
            }
        }

        /** The host pattern these routes were configured for: two names with the same entry share routes. */
        public HostPattern pattern() {
            return pattern;
        }

        /** The route whose prefix is the longest segment-wise match of {@code path}, or null. */
        public Route route(String path) {
            for (Route route : byPrefixLength) {
                if (matches(route.pathPrefix(), path)) {
                    return route;
                }
            }
            return null;
        }

        /**
         * The label of {@code route}, one of these routes: host pattern and path prefix, e.g.
         * {@code *.example.com/api}. Built with the table, not per request (an HTTP/2 stream is a
         * request of its own).
         */
        public String label(Route route) {
            for (int i = 0; i < byPrefixLength.length; i++) {
                if (byPrefixLength[i] == route) {
                    return labels[i];
                }
            }
            throw new IllegalArgumentException("not a route of " + pattern + ": " + route.pathPrefix());
        }

        private static boolean matches(String prefix, String path) {
            if (!path.startsWith(prefix)) {
                return false;
            }
            return prefix.length() == path.length()
                    || prefix.charAt(prefix.length() - 1) == '/'
                    || path.charAt(prefix.length()) == '/';
        }

        @Override
        public String toString() {
            return "HostRoutes[" + pattern + ", " + byPrefixLength.length + " routes]";
        }
    }
}
