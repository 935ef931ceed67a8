package dev.portico.app.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * Checks on an HTTP/2 request head after {@link Http2RequestCodec} translated it to
 * HTTP/1 form ({@code :authority} became {@code Host}, several {@code cookie} fields were joined with
 * {@code "; "} per RFC 9113 8.2.3), before it is routed like an HTTP/1.1 request. Netty's HPACK decoder
 * already resets streams carrying connection-specific fields; these checks hold even if it did not.
 * Pure; any thread.
 */
final class Http2Requests {
    /** values() copies the array on every call, and this runs per request. */
    private static final HttpConversionUtil.ExtensionHeaderNames[] EXTENSION_NAMES = HttpConversionUtil.ExtensionHeaderNames.values();

    /**
     * RFC 9113 8.2.2: fields that only make sense on an HTTP/1.1 connection make the request malformed.
     * ({@code Transfer-Encoding} is not checked here: the codec adds {@code chunked} itself to a head
     * without {@code Content-Length} and END_STREAM; HPACK validation rejects a client's.)
     */
    private static final List<CharSequence> CONNECTION_SPECIFIC = List.of(HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE, "proxy-connection", HttpHeaderNames.UPGRADE);

    private Http2Requests() {}

    /** What makes the translated head malformed, or null when it is acceptable. */
    static String problem(HttpHeaders headers) {
        for (CharSequence name : CONNECTION_SPECIFIC) {
            if (headers.contains(name)) {
                return "connection-specific header field in an HTTP/2 request";
            }
        }
        String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !te.strip().equalsIgnoreCase("trailers")) {
            return "TE other than trailers in an HTTP/2 request";
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        for (String host : hosts) {
            // RFC 9113 8.3.1: a Host that differs from :authority identifies another resource.
            if (!host.equalsIgnoreCase(hosts.get(0))) {
                return ":authority and Host differ";
            }
        }
        if (hosts.size() > 1) {
            headers.set(HttpHeaderNames.HOST, hosts.get(0));
        }
        return null;
    }

    /**
     * Removes the {@code x-http2-*} fields Netty's stream codec adds (stream id, scheme) from a head it
     * translated: an h2c upstream's response. (Client requests are translated by {@link Http2RequestCodec},
     * which adds none.)
     */
    static void stripExtensions(HttpHeaders headers) {
        for (HttpConversionUtil.ExtensionHeaderNames name : EXTENSION_NAMES) {
            headers.remove(name.text());
        }
    }
}
