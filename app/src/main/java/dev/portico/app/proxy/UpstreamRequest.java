package dev.portico.app.proxy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The request head as a backend receives it: HTTP/1.1, origin-form target, hop-by-hop fields gone,
 * {@code Expect} gone (Portico answers 100 itself), {@code Transfer-Encoding: chunked} when the body
 * is chunked (the codec re-frames it), {@code Connection: upgrade} and {@code Upgrade} only for an
 * accepted upgrade, {@code Host} untouched unless the target was absolute-form or it was missing,
 * forwarding fields per {@link ForwardingHeaders}. End-to-end fields keep their order. Event loop of the
 * client connection (the {@link ForwardingHeaders.Client} it is given caches per connection).
 */
final class UpstreamRequest {
    private UpstreamRequest() {}

    /**
     * @param upgrade the {@code Upgrade} value to pass on, or null when this is not an upgrade
     * @param host the normalized host the request was routed on (used when it named none)
     */
    static HttpRequest of(HttpRequest request, RequestTarget target, String host, String upgrade,
                          ForwardingHeaders.Client client, boolean trustedPeer) {
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), target.originForm(), request.headers());
        HttpHeaders headers = out.headers();
        HopByHop.strip(headers);
        headers.remove(HttpHeaderNames.EXPECT);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (upgrade != null) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgrade);
        }
        String authority = target.authority() != null ? target.authority() : host;
        if (target.absolute() || !headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, authority); // RFC 9112 3.2.2; else Host passes untouched
        }
        ForwardingHeaders.apply(headers, client, trustedPeer, authority);
        return out;
    }
}
