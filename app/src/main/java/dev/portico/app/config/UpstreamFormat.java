package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Backend addresses: {@code http://host:port} (HTTP/1.1) or {@code h2c://host:port} (HTTP/2 without
 * TLS). The port defaults to 80, as in any http URL. No path, query, fragment or user info: the
 * request's own path is forwarded unchanged, and credentials do not belong in a URL.
 */
final class UpstreamFormat {
    static final String EXAMPLES = "http://host:port or h2c://host:port, e.g. http://127.0.0.1:3000";

    private UpstreamFormat() {}

    /** The upstream {@code text} names; {@link IllegalArgumentException} saying why not. */
    static RouteAction.Upstream parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL (expected " + EXAMPLES + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            throw new IllegalArgumentException("'" + text + "': https upstreams are not supported (Portico forwards"
                    + " plain HTTP to backends it trusts; expected " + EXAMPLES + ")");
        }
        if (!scheme.equals("http") && !scheme.equals("h2c")) {
            throw new IllegalArgumentException("'" + text + "' is not an http:// or h2c:// URL (expected " + EXAMPLES + ")");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' has no host (expected " + EXAMPLES + ")");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + NodeReader.shown(uri.getScheme() + "://" + uri.getHost())
                    + "...': user info is not allowed in an upstream URL");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + text + "': an upstream URL has no path, query or fragment"
                    + " (the request's path is forwarded unchanged; expected " + EXAMPLES + ")");
        }
        String host = uri.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (IpLiteral.parse(bare).isEmpty() && HostPattern.normalizeOrNull(bare) == null) {
            throw new IllegalArgumentException("'" + text + "': '" + host + "' is not a host name or IP address");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is out of range (expected 1..65535)");
        }
        String canonical = scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
        return new RouteAction.Upstream(URI.create(canonical), bare.toLowerCase(Locale.ROOT), port, scheme.equals("h2c"));
    }
}
