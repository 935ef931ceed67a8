package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HopByHopTest {
    /** "Name: value" of every field, in order. */
    private static List<String> fieldsLeft(HttpHeaders headers) {
        List<String> left = new ArrayList<>();
        for (Map.Entry<String, String> field : headers) {
            left.add(field.getKey() + ": " + field.getValue());
        }
        return left;
    }

    @Test
    void stripsConnectionAndEveryFieldItNamesButNeverHostOrContentLength() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "example.com")
                .add("Content-Length", "3")
                .add("Connection", "keep-alive ,\tX-Secret , , HOST,content-length")
                .add("connection", "x-other, close")
                .add("Close", "a field named by the close token")
                .add("X-Secret", "s")
                .add("X-Other", "o")
                .add("Keep-Alive", "timeout=5")
                .add("Transfer-Encoding", "chunked")
                .add("X-End", "e");

        HopByHop.strip(headers);

        assertEquals(List.of("Host: example.com", "Content-Length: 3", "X-End: e"), fieldsLeft(headers),
                "Connection, the fields it names (any case, spaces, several Connection fields, close too), "
                        + "Keep-Alive and Transfer-Encoding go; Host and Content-Length stay although named");
    }

    @Test
    void stripsEachFixedHopByHopNameInAnyCaseAndLeavesOtherFieldsInOrder() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("X-First", "1")
                .add("PROXY-CONNECTION", "keep-alive")
                .add("te", "trailers")
                .add("Trailer", "X-Checksum")
                .add("upgrade", "websocket")
                .add("HTTP2-Settings", "AAMAAABkAAQAAP__")
                .add("Updated", "as long as Upgrade and Trailer")
                .add("keep-alive", "timeout=5")
                .add("X-Last", "2");

        HopByHop.strip(headers);

        assertEquals(List.of("X-First: 1", "Updated: as long as Upgrade and Trailer", "X-Last: 2"), fieldsLeft(headers));

        HttpHeaders none = new DefaultHttpHeaders().add("Content-Type", "text/plain").add("Content-Length", "2");
        HopByHop.strip(none);
        assertEquals(2, none.size(), "no hop-by-hop field: nothing removed");
    }

    @Test
    void findsATokenInAnyElementOfAnyFieldIgnoringCaseAndSpaces() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive")
                .add("Connection", "x, \tUpgrade");

        assertTrue(HopByHop.hasToken(headers, HttpHeaderNames.CONNECTION, "upgrade"), "second field, second element");
        assertFalse(HopByHop.hasToken(headers, HttpHeaderNames.CONNECTION, "upgrad"), "a prefix is not the token");
        assertFalse(HopByHop.hasToken(headers, HttpHeaderNames.UPGRADE, "upgrade"), "absent field");
    }
}
