package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ForwardingHeadersTest {

    @Test
    void theForwardedElementFollowsTheHostAndIsReusedWhileItStaysTheSame() throws Exception {
        ForwardingHeaders.Client client = new ForwardingHeaders.Client(InetAddress.getByName("192.0.2.7"), "https");

        String first = client.element("a.example");
        assertEquals("for=192.0.2.7;host=a.example;proto=https", first);
        assertSame(first, client.element("a.example"), "the same host: the element is reused, not rebuilt");
        assertEquals("for=192.0.2.7;host=\"b.example:8443\";proto=https", client.element("b.example:8443"),
                "another host (with a port, so quoted, RFC 7239 4)");
        assertEquals("for=192.0.2.7;proto=https", client.element(null), "no host: no host parameter");
        assertEquals("for=192.0.2.7;host=a.example;proto=https", client.element("a.example"), "back to the first host");
    }

    @Test
    void anIpv6PeerIsBracketedAndQuoted() throws Exception {
        ForwardingHeaders.Client client = new ForwardingHeaders.Client(InetAddress.getByName("2001:db8::1"), "http");

        assertEquals("for=\"[2001:db8::1]\";host=a.example;proto=http", client.element("a.example"));
    }
}
