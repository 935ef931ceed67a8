package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateCheckTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static X509Bundle root;
    private static X509Bundle intermediate;

    @BeforeAll
    static void ca() throws Exception {
        root = new CertificateBuilder().subject("CN=Test Root").setIsCertificateAuthority(true).ecp256()
                .notBefore(NOW.minus(Duration.ofDays(1))).notAfter(NOW.plus(Duration.ofDays(365))).buildSelfSigned();
        intermediate = new CertificateBuilder().subject("CN=Test Intermediate").setIsCertificateAuthority(true).ecp256()
                .notBefore(NOW.minus(Duration.ofDays(1))).notAfter(NOW.plus(Duration.ofDays(365))).buildIssuedBy(root);
    }

    @Test
    void goodChainCoveringEveryNameIsAccepted() throws Exception {
        X509Bundle leaf = leaf(NOW.minusSeconds(60), NOW.plus(Duration.ofDays(90)), "a.example", "b.example");
        ManagedCertificate c = CertificateCheck.verify(chain(leaf), leaf.getKeyPair().getPrivate(),
                Set.of("a.example", "b.example"), NOW);
        assertEquals(Set.of("a.example", "b.example"), c.names(), "the verified certificate carries the ordered names");
    }

    @Test
    void keyOfAnotherCertificateIsRejected() throws Exception {
        X509Bundle leaf = leaf(NOW, NOW.plus(Duration.ofDays(90)), "a.example");
        X509Bundle other = leaf(NOW, NOW.plus(Duration.ofDays(90)), "a.example");
        assertRejected(chain(leaf), other, Set.of("a.example"), NOW, "key does not match");
    }

    @Test
    void nameMissingFromSubjectAltNameIsRejected() throws Exception {
        X509Bundle leaf = leaf(NOW, NOW.plus(Duration.ofDays(90)), "a.example");
        assertRejected(chain(leaf), leaf, Set.of("a.example", "b.example"), NOW, "does not cover b.example");
    }

    @Test
    void chainWhoseSignatureDoesNotLinkIsRejected() throws Exception {
        X509Bundle leaf = leaf(NOW, NOW.plus(Duration.ofDays(90)), "a.example");
        X509Bundle impostor = new CertificateBuilder().subject("CN=Test Intermediate").setIsCertificateAuthority(true)
                .ecp256().notBefore(NOW).notAfter(NOW.plus(Duration.ofDays(365))).buildSelfSigned();
        assertRejected(List.of(leaf.getCertificate(), impostor.getCertificate()), leaf, Set.of("a.example"), NOW,
                "signature does not verify");
    }

    @Test
    void datesAreCheckedWithFiveMinutesOfSkew() throws Exception {
        X509Bundle early = leaf(NOW.plus(Duration.ofMinutes(5)), NOW.plus(Duration.ofDays(90)), "a.example");
        CertificateCheck.verify(chain(early), early.getKeyPair().getPrivate(), Set.of("a.example"), NOW);
        X509Bundle future = leaf(NOW.plus(Duration.ofMinutes(5)).plusSeconds(1), NOW.plus(Duration.ofDays(90)), "a.example");
        assertRejected(chain(future), future, Set.of("a.example"), NOW, "not valid before");
        X509Bundle expired = leaf(NOW.minus(Duration.ofDays(2)), NOW, "a.example");
        assertRejected(chain(expired), expired, Set.of("a.example"), NOW, "expired");
    }

    private static void assertRejected(List<java.security.cert.X509Certificate> chain, X509Bundle keyOf, Set<String> names,
            Instant now, String reason) {
        OrderFailedException e = assertThrows(OrderFailedException.class,
                () -> CertificateCheck.verify(chain, keyOf.getKeyPair().getPrivate(), names, now),
                "a certificate we must not serve never passes verification: " + reason);
        assertEquals(OrderFailedException.Reason.BAD_CERTIFICATE, e.reason(), "classified as a bad certificate");
        assertTrue(e.getMessage().contains(reason), "the reason is named: " + e.getMessage());
    }

    private static List<java.security.cert.X509Certificate> chain(X509Bundle leaf) {
        return List.of(leaf.getCertificate(), intermediate.getCertificate());
    }

    static X509Bundle leaf(Instant notBefore, Instant notAfter, String... names) throws Exception {
        CertificateBuilder b = new CertificateBuilder().subject("CN=" + names[0]).ecp256()
                .notBefore(notBefore).notAfter(notAfter);
        for (String n : names) {
            b.addSanDnsName(n);
        }
        return b.buildIssuedBy(intermediate);
    }
}
