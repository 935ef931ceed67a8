package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import dev.portico.tls.certificate.CertificateKeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateFilesTest {
    private static final Set<String> NAMES = Set.of("b.example", "a.example");
    private final InMemoryStorage storage = new InMemoryStorage();
    private final CertificateFiles files = new CertificateFiles(storage);

    @Test
    void storedCertificateLoadsBackWithItsKeyUnderThePrimaryName() throws Exception {
        ManagedCertificate cert = cert(NAMES);
        files.store(cert, "acme://pebble/localhost:1", Instant.now());
        assertEquals(List.of("certificates/a.example/chain.pem", "certificates/a.example/key.pem",
                "certificates/a.example/meta.json"), storage.list("certificates/"),
                "layout: chain, key and metadata under the first name in sorted order; no key-next left behind");
        assertTrue(storage.isSecret("certificates/a.example/key.pem"), "the private key is stored as a secret");
        ManagedCertificate loaded = files.load(NAMES).orElseThrow();
        assertEquals(cert.serial(), loaded.serial(), "the same certificate comes back");
        assertEquals(cert.pair().key(), loaded.pair().key(), "with its key");
    }

    @Test
    void crashBetweenChainAndKeyStillLoadsAMatchingPair() throws Exception {
        ManagedCertificate old = cert(NAMES);
        files.store(old, "d", Instant.now());
        ManagedCertificate fresh = cert(NAMES);
        String dir = "certificates/a.example/";
        // The first two writes of store(): key-next.pem, chain.pem; then the process dies.
        storage.store(dir + "key-next.pem", CertificateFiles.pemKey(fresh.pair().key()), true);
        storage.store(dir + "chain.pem", CertificateFiles.pemChain(fresh.pair().chain()), false);
        ManagedCertificate loaded = files.load(NAMES).orElseThrow();
        assertEquals(fresh.serial(), loaded.serial(), "the new chain is served with the key written just before it");
    }

    @Test
    void storedCertificateNotCoveringTheNamesIsIgnored() throws Exception {
        files.store(cert(Set.of("a.example")), "d", Instant.now());
        assertEquals(Optional.empty(), files.load(Set.of("a.example", "c.example")),
                "a certificate missing a managed name must be re-ordered, not served");
    }

    private static ManagedCertificate cert(Set<String> names) throws Exception {
        CertificateBuilder b = new CertificateBuilder().subject("CN=x").ecp256()
                .notBefore(Instant.now().minusSeconds(60)).notAfter(Instant.now().plus(Duration.ofDays(30)));
        names.forEach(b::addSanDnsName);
        X509Bundle ca = new CertificateBuilder().subject("CN=Test CA").setIsCertificateAuthority(true).ecp256()
                .notBefore(Instant.now().minusSeconds(60)).notAfter(Instant.now().plus(Duration.ofDays(30))).buildSelfSigned();
        X509Bundle leaf = b.buildIssuedBy(ca);
        return new ManagedCertificate(names, new CertificateKeyPair(List.of(leaf.getCertificate()), leaf.getKeyPair().getPrivate()));
    }
}
