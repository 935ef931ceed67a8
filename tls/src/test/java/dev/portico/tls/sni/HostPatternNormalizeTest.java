package dev.portico.tls.sni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.IDN;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@link HostPattern#normalize}: the plain-ASCII fast path gives exactly what full IDNA conversion gives. */
class HostPatternNormalizeTest {

    private static String viaIdna(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        try {
            return IDN.toASCII(n, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Test
    void plainAndConvertedNamesAgreeWithIdna() {
        List<String> names = List.of("example.com", "a.bench.test", "localhost", "Example.COM", "example.com.",
                "xn--bcher-kva.example", "bücher.example", "a-b.c-d.e", "123.example", "a".repeat(63) + ".com",
                "münchen.de", "EXAMPLE.org.");
        for (String name : names) {
            assertEquals(viaIdna(name), HostPattern.normalize(name), "normalize(" + name + ") matches IDNA");
        }
    }

    @Test
    void namesIdnaRefusesAreRefusedWhetherOrNotTheyLookPlain() {
        List<String> names = List.of("-a.example", "a-.example", "a..b", "a".repeat(64) + ".com", "a_b.example",
                "exa mple.com", ".example");
        for (String name : names) {
            assertNull(viaIdna(name), "IDNA refuses " + name + " (the test's premise)");
            assertNull(HostPattern.normalizeOrNull(name), "normalize refuses " + name);
        }
    }

    @Test
    void aPlainLowerCaseNameIsReturnedAsItIs() {
        String host = new String("api.example.com"); // a fresh instance, as a request's Host is
        assertSame(host, HostPattern.normalize(host), "no conversion and no copy on the common path");
    }
}
