package dev.portico.app.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Portico's own short plain-text error responses. Bodies are fixed text: the status line and, at most,
 * a fixed reason chosen by Portico; client input is never echoed. Any thread.
 */
public final class ErrorResponses {
    private ErrorResponses() {}

    /** A complete response as raw bytes, for use below the HTTP codec; always {@code Connection: close}. */
    public static ByteBuf raw(int status, String reason) {
        byte[] body = body(status, reason);
        HttpResponseStatus s = HttpResponseStatus.valueOf(status);
        String head = "HTTP/1.1 " + s.code() + " " + s.reasonPhrase() + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        return Unpooled.wrappedBuffer(h, body);
    }

    /** A full response for the HTTP codec; adds {@code Connection: close} when {@code close}. */
    public static FullHttpResponse of(int status, String reason, boolean close) {
        byte[] body = body(status, reason);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** The length of the body {@link #raw} and {@link #of} write for this status and reason. */
    public static int bodyLength(int status, String reason) {
        return body(status, reason).length;
    }

    private static byte[] body(int status, String reason) {
        HttpResponseStatus s = HttpResponseStatus.valueOf(status);
        String text = s.code() + " " + s.reasonPhrase() + (reason == null ? "" : ": " + reason) + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
