package dev.portico.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.ServerLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The framing handler in front of Netty's real decoder, fed raw bytes. */
class StrictFramingHandlerTest {
    private final List<Object> events = new ArrayList<>();
    private StrictFramingHandler framing;

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        framing = new StrictFramingHandler(ServerLimits.DEFAULTS, new ReadSuspension(ch));
        ch.pipeline().addLast(framing, new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest r) {
                    events.add(r.method() + " " + r.uri());
                }
                if (msg instanceof HttpContent c) {
                    events.add((c instanceof LastHttpContent ? "last:" : "content:") + c.content().toString(StandardCharsets.US_ASCII));
                }
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        return ch;
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    @Test
    void pipelinedRequestWaitsUntilNextRequestOpensTheGate() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(List.of("GET /1", "last:"), events, "only the first request passes; the second is held");
        assertTrue(ch.config().isAutoRead(), "a few held bytes do not stop reading (no epoll_ctl per request)");
        framing.nextRequest();
        assertEquals(List.of("GET /1", "last:", "GET /2", "last:"), events, "the held request passes once the first is answered");
        assertFalse(ch.finishAndReleaseAll(), "nothing left over");
    }

    @Test
    void pipeliningFloodBeyondTheBoundStopsReadingUntilTheGateOpens() {
        EmbeddedChannel ch = channel();
        String request = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
        int count = StrictFramingHandler.MAX_HELD_WHILE_GATED / request.length() + 2;
        ch.writeInbound(bytes(request.repeat(count)));
        assertEquals(List.of("GET /x", "last:"), events, "only the first request passes");
        assertFalse(ch.config().isAutoRead(), "more than the bound is held: reading stops");
        framing.nextRequest();
        assertTrue(ch.config().isAutoRead(), "the gate opened: reading resumes");
        assertEquals(4, events.size(), "the next held request passed, and only it");
        assertFalse(ch.finishAndReleaseAll(), "nothing left over");
    }

    @Test
    void headSplitAcrossReadsPassesWholeAndBodyStreams() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("POST /u HTTP/1.1\r\nHo"));
        assertTrue(events.isEmpty(), "an incomplete head is held, not parsed");
        ch.writeInbound(bytes("st: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"));
        assertEquals(List.of("POST /u", "content:abc"), events, "the checked head and the first chunk pass");
        ch.writeInbound(bytes("0\r\n\r\n"));
        assertEquals("last:", events.get(events.size() - 1), "the last chunk ends the request");
        assertFalse(ch.finishAndReleaseAll(), "nothing left over");
    }

    @Test
    void violationInTheHeadIsAnsweredWithRawBytesAndCloses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
        ByteBuf out = ch.readOutbound();
        String response = out.toString(StandardCharsets.US_ASCII);
        out.release();
        assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n") && response.contains("Connection: close\r\n"), response);
        int bodyBytes = response.length() - response.indexOf("\r\n\r\n") - 4;
        assertEquals(List.of(new RequestRejected(400, "GET", bodyBytes)), events,
                "the decoder never saw the request; the handlers above are told of the refusal (for the access log)");
        assertFalse(ch.isOpen(), "the connection is closed");
        assertFalse(ch.finishAndReleaseAll(), "nothing left over");
    }

    @Test
    void violationLaterInTheBodyIsAnEventForTheHandlerAbove() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n"));
        ch.writeInbound(bytes("-1\r\n"));
        Object last = events.get(events.size() - 1);
        FramingViolation violation = assertInstanceOf(FramingViolation.class, last, "the handler above decides: a response may be under way");
        assertEquals(400, violation.status());
        assertNull(ch.readOutbound(), "nothing written by the framing handler itself");
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(last, events.get(events.size() - 1), "nothing more is parsed from this connection");
        assertFalse(ch.finishAndReleaseAll(), "nothing left over");
    }

    @Test
    void scannerReportsWhereAndWhy() {
        RequestFramingScanner scanner = new RequestFramingScanner(100, 1000);
        ByteBuf buf = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n");
        scanner.scan(buf, 0, buf.writerIndex());
        buf.release();
        assertEquals(RequestFramingScanner.Stop.VIOLATION, scanner.lastStop());
        assertEquals("obsolete line folding", scanner.reason(), "the reason is a fixed text");
    }
}
