package dev.portico.app.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a route does with a matching request. */
public sealed interface RouteAction permits RouteAction.Proxy, RouteAction.Respond, RouteAction.Redirect {

    /** Forward to one of {@code upstreams}, round-robin, skipping those recently refused (passive health). */
    record Proxy(List<Upstream> upstreams) implements RouteAction {
        public Proxy {
            upstreams = List.copyOf(upstreams);
            if (upstreams.isEmpty()) {
                throw new IllegalArgumentException("upstreams: empty (expected at least one http://host:port)");
            }
        }
    }

    /**
     * A fixed response. {@code headers} keep their order; a name may repeat.
     */
    record Respond(int status, String body, List<Map.Entry<String, String>> headers) implements RouteAction {
        public Respond {
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("status: " + status + " (expected 200..599)");
            }
            Objects.requireNonNull(body, "body");
            headers = List.copyOf(headers);
        }
    }

    /**
     * A redirect to {@code location}; the placeholder {@code {uri}} stands for the request's path and
     * query, {@code {host}} for its host.
     */
    record Redirect(String location, int status) implements RouteAction {
        public Redirect {
            Objects.requireNonNull(location, "location");
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                throw new IllegalArgumentException("status: " + status + " (expected 301, 302, 303, 307 or 308)");
            }
        }
    }

    /**
     * A backend: {@code http://host:port} (HTTP/1.1) or {@code h2c://host:port} (HTTP/2 without TLS).
     *
     * @param uri the canonical URL, port always written ({@code http://127.0.0.1:3000})
     * @param host what to connect to: a name, an IPv4 address, or an IPv6 address without brackets
     */
    record Upstream(URI uri, String host, int port, boolean h2c) {
        public Upstream {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(host, "host");
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected 1..65535)");
            }
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }
}
