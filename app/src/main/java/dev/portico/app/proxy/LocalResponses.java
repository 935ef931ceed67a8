package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Responses Portico makes itself: {@code respond} and {@code redirect} routes, 308 to HTTPS, ACME. Any thread. */
final class LocalResponses {
    static final String ACME_PREFIX = "/.well-known/acme-challenge/";

    private LocalResponses() {}

    /** The fixed response of a {@code respond} route; configured headers keep their order. */
    static FullHttpResponse respond(RouteAction.Respond respond) {
        byte[] body = respond.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(respond.status()), Unpooled.wrappedBuffer(body));
        for (Map.Entry<String, String> header : respond.headers()) {
            response.headers().add(header.getKey(), header.getValue());
        }
        if (!response.headers().contains(HttpHeaderNames.CONTENT_TYPE) && body.length > 0) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /** A {@code redirect} route's answer: {@code {uri}} and {@code {host}} substituted. */
    static FullHttpResponse redirect(RouteAction.Redirect redirect, String host, String uri) {
        String location = redirect.location().replace("{uri}", uri).replace("{host}", host);
        return redirect(redirect.status(), location);
    }

    /** Port 80's {@code 308} to the same host and target over HTTPS. */
    static FullHttpResponse toHttps(String host, int httpsPort, String uri) {
        String location = "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + uri;
        return redirect(308, location);
    }

    /** An HTTP-01 key authorization (RFC 8555 8.3), or 404 when {@code keyAuthorization} is null. */
    static FullHttpResponse acme(String keyAuthorization) {
        if (keyAuthorization == null) {
            return dev.portico.app.http.ErrorResponses.of(404, "no such challenge", false);
        }
        byte[] body = keyAuthorization.getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /** True for a token that could be an ACME challenge token (base64url, RFC 8555 8.3). */
    static boolean isAcmeToken(String token) {
        if (token.isEmpty() || token.length() > 256) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static FullHttpResponse redirect(int status, String location) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.LOCATION, location).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }
}
