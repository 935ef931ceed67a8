package dev.portico.tls.sni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portico.tls.testing.TestCertificates;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Selection rules of the store, without sockets. */
class CertificateStoreTest {
    private static final ServedCertificate A = served("a.test", "acme");
    private static final ServedCertificate B = served("b.test", "file:/etc/b.pem");
    private static final ServedCertificate WILD = served("*.a.test", "internal");

    private final CertificateStore store = new CertificateStore();

    @Test
    void exactThenOneLabelWildcardThenDefaultThenNothing() {
        store.install(List.of(HostPattern.parse("a.test")), A);
        store.install(List.of(HostPattern.parse("*.a.test")), WILD);
        assertEquals(new Selection.Matched(HostPattern.parse("a.test"), A, Selection.Match.EXACT), store.select("a.test"),
                "an exact name wins");
        assertEquals(new Selection.Matched(HostPattern.parse("*.a.test"), WILD, Selection.Match.WILDCARD),
                store.select("x.a.test"), "one label below the parent is covered by the wildcard");
        assertEquals(Selection.NONE, store.select("y.x.a.test"), "a wildcard covers one label only (RFC 6125 §6.4.3)");
        assertEquals(Selection.NONE, store.select(null), "no SNI and no default: nothing");
        store.setDefault(Optional.of(HostPattern.parse("a.test")));
        assertEquals(new Selection.Matched(HostPattern.parse("a.test"), A, Selection.Match.DEFAULT), store.select("other.test"),
                "an unknown name gets the default");
        assertEquals(Selection.Match.DEFAULT, ((Selection.Matched) store.select(null)).match(), "so does a missing SNI");
    }

    @Test
    void anExactNameBeatsAWildcardForTheSameHost() {
        store.install(List.of(HostPattern.parse("*.a.test")), WILD);
        store.install(List.of(HostPattern.parse("x.a.test")), B);
        assertEquals(B, ((Selection.Matched) store.select("x.a.test")).certificate(), "exact before wildcard");
    }

    @Test
    void theDefaultFollowsLaterInstallsAndRemovals() {
        store.setDefault(Optional.of(HostPattern.parse("a.test")));
        assertEquals(Selection.NONE, store.select("z.test"), "a default name with nothing installed refuses");
        store.install(List.of(HostPattern.parse("a.test")), A);
        assertEquals(A, ((Selection.Matched) store.select("z.test")).certificate(), "installing the default name enables it");
        store.install(List.of(HostPattern.parse("a.test")), B);
        assertEquals(B, ((Selection.Matched) store.select("z.test")).certificate(), "the default follows a swap");
        store.remove(HostPattern.parse("a.test"));
        assertEquals(Selection.NONE, store.select("z.test"), "removing the default name disables the default");
        assertEquals(Optional.of(HostPattern.parse("a.test")), store.defaultName(), "but it stays configured");
    }

    @Test
    void oneInstallServesSeveralNamesAndTheListingShowsThem() {
        store.install(List.of(HostPattern.parse("b.test"), HostPattern.parse("*.b.test")), B);
        store.install(List.of(HostPattern.parse("a.test")), A);
        store.setDefault(Optional.of(HostPattern.parse("b.test")));
        List<InstalledCertificate> rows = store.installed();
        assertEquals(List.of("a.test", "b.test", "*.b.test"), rows.stream().map(r -> r.name().toString()).toList(),
                "every name is listed, sorted");
        InstalledCertificate b = rows.get(1);
        assertEquals("file:/etc/b.pem", b.source(), "the listing says where a certificate came from");
        assertEquals("CN=b.test", b.issuer(), "a self-signed certificate is its own issuer");
        assertEquals(B.pair().leaf().getNotAfter().toInstant(), b.notAfter(), "expiry is shown");
        assertEquals(List.of(false, true, false), rows.stream().map(InstalledCertificate::isDefault).toList(),
                "only the default name is marked");
        assertEquals(Optional.of(B), store.certificateFor(HostPattern.parse("*.b.test")), "lookup by exact pattern");
        assertEquals(Optional.empty(), store.certificateFor(HostPattern.parse("*.a.test")), "no fallback in certificateFor");
    }

    @Test
    void installingNoNamesIsAProgrammerError() {
        assertThrows(IllegalArgumentException.class, () -> store.install(List.of(), A), "names must not be empty");
    }

    private static ServedCertificate served(String name, String source) {
        var pair = TestCertificates.selfSigned(name);
        try {
            SslContext context = SslContextBuilder.forServer(pair.key(), pair.chain()).sslProvider(SslProvider.JDK).build();
            return new ServedCertificate(pair, context, source);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
