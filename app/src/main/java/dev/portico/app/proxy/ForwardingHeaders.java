package dev.portico.app.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Adds {@code X-Forwarded-For}, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and
 * {@code Forwarded} (RFC 7239) to a request going to a backend. When the direct peer is a trusted
 * proxy its forwarding fields are kept and extended; otherwise whatever the client sent is dropped and
 * replaced, so a client cannot forge its address. Event loop of the client connection (a
 * {@link Client} caches per connection).
 */
final class ForwardingHeaders {
    // AsciiString: header lookups hash the name, and an AsciiString caches its hash.
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private ForwardingHeaders() {}

    /**
     * One client connection's side of the forwarding fields: the peer's address in text, worked out once,
     * and the {@code Forwarded} element for the last host asked for (keep-alive requests mostly name
     * the same one), so that a request builds no strings here. One per client connection, shared by an
     * HTTP/2 connection's streams (they run on its event loop); event loop only.
     */
    static final class Client {
        private final InetAddress address;
        private final String text;
        private final String node;
        private final String proto;
        private String lastHost;
        private String lastElement;

        /** @param proto {@code https} or {@code http} */
        Client(InetAddress address, String proto) {
            this.address = address;
            this.text = addressText(address);
            this.node = forwardedNode(address);
            this.proto = proto;
        }

        InetAddress address() {
            return address;
        }

        /** {@code for=...;host=...;proto=...} for a request that asked for {@code host} (may be null). */
        String element(String host) {
            if (lastElement == null || !Objects.equals(host, lastHost)) {
                StringBuilder element = new StringBuilder(64).append("for=").append(node);
                if (host != null) {
                    element.append(";host=").append(quotedIfNeeded(host));
                }
                lastElement = element.append(";proto=").append(proto).toString();
                lastHost = host;
            }
            return lastElement;
        }
    }

    /**
     * Rewrites the forwarding fields of {@code headers}.
     *
     * @param client the direct peer
     * @param trusted whether the peer is a trusted proxy
     * @param host the {@code Host} the client asked for (host and optional port), or null
     */
    static void apply(HttpHeaders headers, Client client, boolean trusted, String host) {
        String priorFor = trusted ? joined(headers.getAll(X_FORWARDED_FOR)) : null;
        String priorForwarded = trusted ? joined(headers.getAll(FORWARDED)) : null;
        String priorProto = trusted ? headers.get(X_FORWARDED_PROTO) : null;
        String priorHost = trusted ? headers.get(X_FORWARDED_HOST) : null;
        headers.remove(X_FORWARDED_FOR).remove(FORWARDED).remove(X_FORWARDED_PROTO).remove(X_FORWARDED_HOST);

        headers.add(X_FORWARDED_FOR, priorFor == null ? client.text : priorFor + ", " + client.text);
        headers.add(X_FORWARDED_PROTO, priorProto != null ? priorProto : client.proto);
        if (priorHost != null || host != null) {
            headers.add(X_FORWARDED_HOST, priorHost != null ? priorHost : host);
        }
        String element = client.element(host);
        headers.add(FORWARDED, priorForwarded == null ? element : priorForwarded + ", " + element);
    }

    /** The textual address without an IPv6 scope: {@code 192.0.2.1}, {@code 2001:db8::1}. */
    static String addressText(InetAddress address) {
        return NetUtil.toAddressString(address); // RFC 5952 form, no scope
    }

    /** RFC 7239 6: an IPv6 node is bracketed and therefore quoted, {@code "[2001:db8::1]"}. */
    static String forwardedNode(InetAddress address) {
        String text = addressText(address);
        return address instanceof Inet6Address ? "\"[" + text + "]\"" : text;
    }

    private static String joined(List<String> values) {
        return values.isEmpty() ? null : String.join(", ", values);
    }

    private static String quotedIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return value;
    }
}
