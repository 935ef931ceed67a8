package dev.portico.app.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Listener addresses: {@code 127.0.0.1:8443}, {@code [::1]:8443}, {@code localhost:8443} (IPv4
 * loopback), or {@code :8443} for every interface. Host names other than {@code localhost} are
 * refused: a listener binds an address, and resolving names at start would make the bind depend on DNS.
 */
final class AddressFormat {
    static final String EXAMPLES = "host:port, [ipv6]:port or :port, e.g. 127.0.0.1:8443 or :443";

    private AddressFormat() {}

    /** The socket address {@code text} means; {@link IllegalArgumentException} saying why not. */
    static InetSocketAddress parse(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            String hint = t.matches("\\d{1,5}") ? "; did you mean ':" + t + "'?" : "";
            throw new IllegalArgumentException("'" + text + "' has no port (expected " + EXAMPLES + hint + ")");
        }
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
            throw new IllegalArgumentException("'" + text + "': put an IPv6 address in brackets, as in [::1]:8443");
        }
        int port = port(portText, text);
        if (host.isEmpty() || host.equals("*")) {
            return new InetSocketAddress(port);
        }
        if (host.equalsIgnoreCase("localhost")) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
        Optional<InetAddress> address = IpLiteral.parse(host);
        if (address.isEmpty()) {
            throw new IllegalArgumentException("'" + host + "' is not an IP address (expected " + EXAMPLES + ")");
        }
        return new InetSocketAddress(address.get(), port);
    }

    /** The same syntax back: {@code :443}, {@code 127.0.0.1:8443}, {@code [::1]:8443}. */
    static String format(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        if (a == null || a.isAnyLocalAddress()) {
            return ":" + address.getPort();
        }
        String host = a instanceof Inet6Address ? "[" + IpLiteral.format(a) + "]" : a.getHostAddress();
        return host + ":" + address.getPort();
    }

    /** True when both cannot be bound at once: same port, and the same address or either is a wildcard. */
    static boolean overlap(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() != b.getPort()) {
            return false;
        }
        return a.getAddress().isAnyLocalAddress() || b.getAddress().isAnyLocalAddress() || a.getAddress().equals(b.getAddress());
    }

    private static int port(String portText, String text) {
        if (!portText.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not a number (expected " + EXAMPLES + ")");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is out of range (expected 1..65535)");
        }
        return port;
    }
}
