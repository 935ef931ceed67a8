package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamFormatTest {

    @Test
    void httpUpstreamDefaultsToPort80AndKeepsTheHostToConnectTo() {
        RouteAction.Upstream u = UpstreamFormat.parse("http://Backend.Internal");
        assertEquals("backend.internal", u.host(), "the host is what the proxy connects to, lower-cased");
        assertEquals(80, u.port(), "an http URL without a port means port 80");
        assertFalse(u.h2c(), "http:// speaks HTTP/1.1");
        assertEquals("http://backend.internal:80", u.uri().toString(), "the URI is canonical, port included");
    }

    @Test
    void h2cUpstreamWithIpv6HostHasTheBareAddressForConnecting() {
        RouteAction.Upstream u = UpstreamFormat.parse("h2c://[::1]:3001/");
        assertEquals("::1", u.host(), "the connect address has no brackets");
        assertEquals(3001, u.port(), "the explicit port is kept");
        assertTrue(u.h2c(), "h2c:// speaks HTTP/2 without TLS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.1:3000", "127.0.0.1:3000", "http://127.0.0.1:3000/app", "http://a:1?x",
        "http://a:1#f", "http://user:secret@a:1", "ftp://a:1", "http://:3000", "http://a:0", "http://a_b:1"})
    void anythingButAPlainHostAndPortIsRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamFormat.parse(text),
                "'" + text + "' is not an upstream Portico can forward to");
        assertFalse(e.getMessage().contains("secret"), "a password in user info must never be echoed: " + e.getMessage());
    }
}
