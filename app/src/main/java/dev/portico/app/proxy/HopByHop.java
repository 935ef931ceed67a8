package dev.portico.app.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes hop-by-hop fields (RFC 9110 7.6.1) in both directions: {@code Connection} and every field it
 * names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer},
 * {@code Transfer-Encoding} (each side's codec re-frames the body), {@code Upgrade} and
 * {@code HTTP2-Settings}. {@code TE: trailers} is not passed on either: Portico speaks HTTP/1.1 to
 * backends and promises nothing about trailers. A {@code Connection} token naming {@code Host} or
 * {@code Content-Length} is ignored, so a client cannot strip framing or routing fields that way.
 * Pure; any thread.
 */
final class HopByHop {
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

    private HopByHop() {}

    /** The lower-case tokens of every {@code Connection} field. */
    static List<String> connectionTokens(HttpHeaders headers) {
        List<String> tokens = new ArrayList<>(2);
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.strip().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        return tokens;
    }

    /** True when {@code headers} has a comma-list element equal to {@code token}, ignoring case. */
    static boolean hasToken(HttpHeaders headers, CharSequence name, String token) {
        for (String value : headers.getAll(name)) {
            for (String element : value.split(",")) {
                if (element.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes every hop-by-hop field from {@code headers}. */
    static void strip(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String token : connectionTokens(headers)) {
                if (!token.equals("host") && !token.equals("content-length")) {
                    headers.remove(token);
                }
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION)
                .remove(HttpHeaderNames.KEEP_ALIVE)
                .remove(PROXY_CONNECTION)
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.UPGRADE)
                .remove(HTTP2_SETTINGS);
    }
}
