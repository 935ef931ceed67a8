package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Http2RequestCodecTest {

    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("https").authority("a.example").path(path)
                .add("accept", "text/plain")
                // AsciiString names, as the HPACK decoder makes them: Netty's translation joins only those
                .add(HttpHeaderNames.COOKIE, "a=1").add(HttpHeaderNames.COOKIE, "b=2");
    }

    @Test
    void headersThatEndTheStreamBecomeAHeadAndTheSharedEmptyEndNotAFullRequest() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec(stream -> {}));

        channel.writeInbound(new DefaultHttp2HeadersFrame(get("/x?y=1"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertFalse(head instanceof FullHttpRequest, "no body buffer or trailer map for a request without a body");
        assertEquals("GET", head.method().name());
        assertEquals("/x?y=1", head.uri());
        assertEquals("a.example", head.headers().get("host"), ":authority becomes Host");
        assertEquals("text/plain", head.headers().get("accept"));
        assertEquals(List.of("a=1; b=2"), head.headers().getAll("cookie"),
                "several cookie fields become one, joined with \"; \" (RFC 9113 8.2.3)");
        assertNull(head.headers().get("transfer-encoding"), "no body follows: nothing to frame");
        assertEquals(Set.of("host", "accept", "cookie"), head.headers().names(),
                "exactly the client's fields: no x-http2-* of Netty's, nothing else");
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, channel.readInbound());
        assertNull(channel.readInbound(), "exactly two messages");
        assertFalse(channel.finish());
    }

    @Test
    void aRequestWithABodyIsChunkedAndItsTrailersArriveOnTheLastContent() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec(stream -> {}));
        Http2Headers post = get("/upload").method("POST");

        channel.writeInbound(new DefaultHttp2HeadersFrame(post, false));
        channel.writeInbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII), false));
        channel.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertFalse(head instanceof FullHttpRequest);
        assertEquals("POST", head.method().name());
        assertEquals("chunked", head.headers().get("transfer-encoding"),
                "a body of unknown length goes to an HTTP/1.1 backend chunked");
        assertEquals(List.of("a=1; b=2"), head.headers().getAll("cookie"), "the head of a request with a body: cookies joined too");
        assertFalse(head.headers().names().stream().anyMatch(n -> n.startsWith("x-http2")), "no x-http2-* fields: " + head.headers());
        HttpContent body = assertInstanceOf(HttpContent.class, channel.readInbound());
        ByteBuf bytes = body.content();
        assertEquals("abc", bytes.toString(StandardCharsets.US_ASCII));
        body.release();
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, channel.readInbound());
        assertEquals("0", end.trailingHeaders().get("grpc-status"), "trailers arrive on the last content");
        assertEquals(0, end.content().readableBytes());
        end.release();
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void aHeadWithALengthIsNotChunked() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec(stream -> {}));

        channel.writeInbound(new DefaultHttp2HeadersFrame(get("/upload").method("PUT").add("content-length", "3"), false));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertEquals("3", head.headers().get("content-length"));
        assertNull(head.headers().get("transfer-encoding"), "Content-Length frames the body toward the backend");
        assertFalse(channel.finish());
    }

    @Test
    void aClientsOwnExtensionAndTrailerFieldsAreDropped() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec(stream -> {}));

        channel.writeInbound(new DefaultHttp2HeadersFrame(get("/").add("x-http2-stream-id", "7")
                .add("x-http2-scheme", "http").add("trailer", "x-checksum").add("x-http2ish", "kept"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertNull(head.headers().get("x-http2-stream-id"), "a client cannot pose as the codec");
        assertNull(head.headers().get("x-http2-scheme"));
        assertNull(head.headers().get("trailer"), "trailers are framed by Portico toward the backend");
        assertEquals("kept", head.headers().get("x-http2ish"), "only the x-http2- prefix is the codec's");
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void aRequestWithoutPathResetsTheStream() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec(stream -> {}));
        Http2Headers noPath = new DefaultHttp2Headers().method("GET").scheme("https").authority("a.example");

        DecoderException refused = assertThrows(DecoderException.class,
                () -> channel.writeInbound(new DefaultHttp2HeadersFrame(noPath, true)));

        assertInstanceOf(Http2Exception.class, refused.getCause(), "a stream error, as RFC 9113 8.3.1 has it");
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void aResponseHeadBecomesHeadersWithoutEndStream() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec(stream -> {}));
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED);
        response.headers().add("Content-Type", "text/plain").add("X-Trace", "t1");

        channel.writeOutbound(response);

        Http2HeadersFrame frame = assertInstanceOf(Http2HeadersFrame.class, channel.readOutbound());
        assertEquals("201", frame.headers().status().toString());
        assertEquals("text/plain", frame.headers().get("content-type").toString(), "names in lower case (RFC 9113 8.2.1)");
        assertEquals("t1", frame.headers().get("x-trace").toString());
        assertFalse(frame.isEndStream(), "the body follows as DATA");
        assertNull(channel.readOutbound());
        assertFalse(channel.finish());
    }

    @Test
    void responseFieldsKeepTheirOrderInLowerCaseAndThoseHttp2ForbidsAreDropped() {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().add("Server", "nginx").add("X-Mixed-Case", "v1").add("Connection", "close")
                .add("Transfer-Encoding", "chunked").add("Keep-Alive", "timeout=5").add("Proxy-Connection", "x")
                .add("Upgrade", "h2c").add("TE", "trailers").add("Host", "b.example").add("x-http2-stream-id", "3")
                .add("Set-Cookie", "a=1").add("set-cookie", "b=2").add("Content-Type", "text/html")
                .add("x-http2ish", "kept");

        Http2Headers headers = Http2RequestCodec.toResponseHeaders(response);

        List<String> fields = new java.util.ArrayList<>();
        headers.forEach(field -> fields.add(field.getKey() + "=" + field.getValue()));
        assertEquals(List.of(":status=200", "server=nginx", "x-mixed-case=v1", "set-cookie=a=1", "set-cookie=b=2",
                        "content-type=text/html", "x-http2ish=kept"), fields,
                ":status first, then the fields in order, lower case; connection-specific ones, Host and x-http2-* gone");
        assertSame(HttpHeaderNames.CONTENT_TYPE, nameOf(headers, "content-type"), "a common name is Netty's constant");
    }

    private static CharSequence nameOf(Http2Headers headers, String name) {
        for (java.util.Map.Entry<CharSequence, CharSequence> field : headers) {
            if (field.getKey().toString().equals(name)) {
                return field.getKey();
            }
        }
        return null;
    }
}
