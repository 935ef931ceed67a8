package dev.portico.app.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

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
    /** Connection first: {@link #strip} reads the fields it names before removing it. */
    private static final AsciiString[] HOP_BY_HOP = {
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE, HTTP2_SETTINGS};

    private HopByHop() {}

    /** True when {@code headers} has a comma-list element equal to {@code token}, ignoring case. */
    static boolean hasToken(HttpHeaders headers, CharSequence name, String token) {
        if (!headers.contains(name)) {
            return false; // the common case, without the list getAll would build
        }
        for (String value : headers.getAll(name)) {
            int start = 0;
            while (start <= value.length()) {
                int end = elementEnd(value, start);
                if (equalsTrimmed(value, start, end, token)) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    /**
     * Removes every hop-by-hop field from {@code headers}. One pass over the fields finds which of them
     * are present (usually one: a backend's {@code Connection: keep-alive}), then only those are
     * removed: a lookup or removal by name hashes the name without case each time, and this runs for
     * every request and response.
     */
    static void strip(HttpHeaders headers) {
        int present = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = headers.iteratorCharSequence(); fields.hasNext(); ) {
            int index = hopByHopIndex(fields.next().getKey());
            if (index >= 0) {
                present |= 1 << index;
            }
        }
        if (present == 0) {
            return;
        }
        if ((present & 1) != 0) { // CONNECTION, index 0
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                removeNamedFields(headers, value);
            }
        }
        for (int i = 0; i < HOP_BY_HOP.length; i++) {
            if ((present & (1 << i)) != 0) {
                headers.remove(HOP_BY_HOP[i]);
            }
        }
    }

    /** The index of {@code name} in {@link #HOP_BY_HOP} ignoring case, or -1. */
    private static int hopByHopIndex(CharSequence name) {
        int length = name.length();
        for (int i = 0; i < HOP_BY_HOP.length; i++) {
            if (HOP_BY_HOP[i].length() == length && HOP_BY_HOP[i].contentEqualsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Removes the fields that one {@code Connection} value names (but never Host or Content-Length). */
    private static void removeNamedFields(HttpHeaders headers, String connection) {
        int start = 0;
        while (start <= connection.length()) {
            int end = elementEnd(connection, start);
            // keep-alive and upgrade name fields removed below anyway: no substring for the usual tokens.
            if (!equalsTrimmed(connection, start, end, "keep-alive") && !equalsTrimmed(connection, start, end, "upgrade")
                    && !equalsTrimmed(connection, start, end, "host") && !equalsTrimmed(connection, start, end, "content-length")) {
                String token = connection.substring(start, end).strip();
                if (!token.isEmpty()) {
                    headers.remove(token);
                }
            }
            start = end + 1;
        }
    }

    private static int elementEnd(String list, int start) {
        int comma = list.indexOf(',', start);
        return comma < 0 ? list.length() : comma;
    }

    /** {@code list[start, end)} without surrounding spaces and tabs equals {@code token}, ignoring case. */
    private static boolean equalsTrimmed(String list, int start, int end, String token) {
        while (start < end && (list.charAt(start) == ' ' || list.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (list.charAt(end - 1) == ' ' || list.charAt(end - 1) == '\t')) {
            end--;
        }
        return end - start == token.length() && list.regionMatches(true, start, token, 0, token.length());
    }
}
