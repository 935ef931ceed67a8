package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec());

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
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, channel.readInbound());
        assertNull(channel.readInbound(), "exactly two messages");
        assertFalse(channel.finish());
    }

    @Test
    void aRequestWithABodyAndTrailersKeepsNettysTranslation() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestCodec());
        Http2Headers post = get("/upload").method("POST");

        channel.writeInbound(new DefaultHttp2HeadersFrame(post, false));
        channel.writeInbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII), false));
        channel.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertFalse(head instanceof FullHttpRequest);
        assertEquals("POST", head.method().name());
        assertEquals("chunked", head.headers().get("transfer-encoding"),
                "a body of unknown length goes to an HTTP/1.1 backend chunked");
        assertEquals(List.of("a=1; b=2"), head.headers().getAll("cookie"), "the head of a request with a body: Netty's translation, cookies joined too");
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
}
