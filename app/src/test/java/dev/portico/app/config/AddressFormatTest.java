package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Listener addresses, IP literals and CIDR blocks: parsed without DNS, rendered back in the same syntax. */
class AddressFormatTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "127.0.0.1:8443, 127.0.0.1:8443", ":443, :443", "*:443, :443", "0.0.0.0:443, :443",
        "localhost:8080, 127.0.0.1:8080", "[::1]:9090, [::1]:9090", "'[0:0:0:0:0:0:0:1]:9090', [::1]:9090",
        "[fd00::10]:80, [fd00::10]:80", "[::]:443, :443"})
    void listenerAddressesParseAndRenderCanonically(String text, String rendered) {
        assertEquals(rendered, AddressFormat.format(AddressFormat.parse(text)), text + " must render as " + rendered);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8443", "127.0.0.1", "example.com:443", "::1:8080", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:http", "256.0.0.1:80", "[::1]", "127.0.0.01:80"})
    void malformedListenerAddressesAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> AddressFormat.parse(text), "'" + text + "' is not a listener address");
    }

    @Test
    void aWildcardOverlapsEveryAddressOnTheSamePortOnly() {
        InetSocketAddress any = AddressFormat.parse(":8443");
        assertTrue(AddressFormat.overlap(any, AddressFormat.parse("127.0.0.1:8443")), "binding both would fail with EADDRINUSE");
        assertTrue(AddressFormat.overlap(AddressFormat.parse("127.0.0.1:8443"), AddressFormat.parse("localhost:8443")),
                "the same address twice overlaps");
        assertFalse(AddressFormat.overlap(AddressFormat.parse("127.0.0.1:8443"), AddressFormat.parse("127.0.0.2:8443")),
                "two distinct addresses may share a port");
        assertFalse(AddressFormat.overlap(any, AddressFormat.parse(":8080")), "different ports never overlap");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"example.com", "localhost", "1.2.3", "1.2.3.4.5", "::g", "fe80::1%eth0", ""})
    void ipLiteralsNeverFallBackToNameLookup(String text) {
        assertTrue(IpLiteral.parse(text).isEmpty(), "'" + text + "' is not an address literal and must not be resolved");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"::1, ::1", "0:0:0:0:0:0:0:1, ::1", "fd00:0:0:0:0:0:0:0, fd00::", "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "1:0:1:0:1:0:1:0, 1:0:1:0:1:0:1:0", "::, ::"})
    void ipv6RendersWithTheLongestZeroRunCompressed(String text, String rendered) {
        assertEquals(rendered, IpLiteral.format(IpLiteral.parse(text).orElseThrow()), "RFC 5952 form of " + text);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"10.0.0.0/8, 10.0.0.0/8", "127.0.0.1, 127.0.0.1/32", "::1, ::1/128", "fd00::/8, fd00::/8", "0.0.0.0/0, 0.0.0.0/0"})
    void cidrBlocksAndSingleAddressesParse(String text, String rendered) {
        assertEquals(rendered, Cidr.parse(text).toString(), text + " must mean " + rendered);
    }

    @Test
    void aCidrWithHostBitsSetSuggestsTheNetwork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.1/8"),
                "10.0.0.1/8 probably hides a typo");
        assertTrue(e.getMessage().contains("did you mean 10.0.0.0/8?"), "the message suggests the network: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "proxy.internal", "10.0.0.0/8/8"})
    void malformedCidrBlocksAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text), "'" + text + "' is not a CIDR block");
    }

    @Test
    void cidrContainsExactlyItsBlock() throws Exception {
        Cidr block = Cidr.parse("192.168.4.0/22");
        assertTrue(block.contains(InetAddress.getByName("192.168.7.255")), "the last address of the /22 is inside");
        assertFalse(block.contains(InetAddress.getByName("192.168.8.0")), "the next address after the /22 is outside");
        assertFalse(block.contains(InetAddress.getByName("::1")), "an IPv6 address is never inside an IPv4 block");
    }
}
