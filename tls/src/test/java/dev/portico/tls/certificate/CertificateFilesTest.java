package dev.portico.tls.certificate;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TestCertificates.KeyAlgorithm;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void pkcs8KeysLoadForRsaAndEcdsa(KeyAlgorithm algorithm) throws IOException {
        CertificateKeyPair pair = TestCertificates.builder().names("a.test").algorithm(algorithm).selfSigned();
        Path chain = write("chain.pem", TestCertificates.certificatesPem(pair.chain()));
        Path key = write("key.pem", TestCertificates.pkcs8Pem(pair.key()));
        CertificateKeyPair loaded = CertificateFiles.loadPem(chain, key);
        assertEquals(pair.chain(), loaded.chain(), "the chain must be read back unchanged");
        assertEquals(pair.key().getAlgorithm(), loaded.key().getAlgorithm(), "the key keeps its algorithm");
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void traditionalKeysLoadForRsaAndEcdsa(KeyAlgorithm algorithm) throws IOException {
        CertificateKeyPair pair = TestCertificates.builder().names("a.test").algorithm(algorithm).selfSigned();
        String traditional = TestCertificates.traditionalPem(pair.key());
        assertTrue(traditional.contains(algorithm == KeyAlgorithm.RSA_2048 ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY"),
                "the fixture must really be PKCS#1 / SEC1, not PKCS#8: " + traditional.lines().findFirst().orElse(""));
        CertificateKeyPair loaded = CertificateFiles.loadPem(write("chain.pem", TestCertificates.certificatesPem(pair.chain())),
                write("key.pem", traditional));
        assertEquals(pair.leaf(), loaded.leaf(), "the leaf must load with a traditional key");
    }

    @Test
    void aCombinedFileHoldsChainAndKey() throws IOException {
        TestCertificates.Authority ca = TestCertificates.authority("Test CA");
        CertificateKeyPair pair = ca.issue("a.test");
        Path combined = write("combined.pem", TestCertificates.certificatesPem(pair.chain()) + TestCertificates.pkcs8Pem(pair.key()));
        CertificateKeyPair loaded = CertificateFiles.loadPem(combined, combined);
        assertEquals(2, loaded.chain().size(), "leaf and CA are both kept, in order");
        assertEquals(pair.chain(), loaded.chain(), "the chain order must be preserved (leaf first)");
    }

    @Test
    void aKeyOfAnotherCertificateIsRejected() throws IOException {
        CertificateKeyPair a = TestCertificates.selfSigned("a.test");
        CertificateKeyPair b = TestCertificates.selfSigned("b.test");
        Path key = write("key.pem", TestCertificates.pkcs8Pem(b.key()));
        CertificateLoadException e = assertThrows(CertificateLoadException.class,
                () -> CertificateFiles.loadPem(write("chain.pem", TestCertificates.certificatesPem(a.chain())), key),
                "a key that does not belong to the leaf must never be served");
        assertTrue(e.getMessage().startsWith(key + ": key does not match certificate"), "message: " + e.getMessage());
    }

    @Test
    void aKeyFileWithoutKeyIsRejectedNamingTheFile() throws IOException {
        CertificateKeyPair a = TestCertificates.selfSigned("a.test");
        Path chain = write("chain.pem", TestCertificates.certificatesPem(a.chain()));
        CertificateLoadException e = assertThrows(CertificateLoadException.class, () -> CertificateFiles.loadPem(chain, chain),
                "a certificate-only file has no key");
        assertTrue(e.getMessage().startsWith(chain + ": no private key found"), "message: " + e.getMessage());
    }

    @Test
    void garbageIsRejectedWithAClearMessage() throws IOException {
        Path text = write("notes.txt", "this is not a certificate\n");
        Path broken = write("broken.pem", "-----BEGIN CERTIFICATE-----\n!!!!not base64!!!!\n-----END CERTIFICATE-----\n");
        CertificateLoadException plain = assertThrows(CertificateLoadException.class, () -> CertificateFiles.loadPem(text, text),
                "plain text holds no certificate");
        assertTrue(plain.getMessage().startsWith(text + ": no certificate found"), "message: " + plain.getMessage());
        CertificateLoadException corrupt = assertThrows(CertificateLoadException.class,
                () -> CertificateFiles.loadPem(broken, broken), "a corrupt PEM block must be reported, not skipped");
        assertTrue(corrupt.getMessage().startsWith(broken + ": "), "the message names the file: " + corrupt.getMessage());
        Path missing = dir.resolve("missing.pem");
        CertificateLoadException absent = assertThrows(CertificateLoadException.class,
                () -> CertificateFiles.loadPem(missing, missing), "a missing file is reported");
        assertEquals(missing + ": no such file", absent.getMessage(), "the message names the missing file");
    }

    @Test
    void anEncryptedKeyIsRejectedWithAHint() throws Exception {
        CertificateKeyPair a = TestCertificates.selfSigned("a.test");
        String encrypted = TestCertificates.encryptedPkcs8Pem(a.key(), "pw".toCharArray());
        Path key = write("key.pem", encrypted);
        CertificateLoadException e = assertThrows(CertificateLoadException.class,
                () -> CertificateFiles.loadPem(write("chain.pem", TestCertificates.certificatesPem(a.chain())), key),
                "an encrypted key cannot be used without its password");
        assertTrue(e.getMessage().startsWith(key + ": "), "the message names the key file: " + e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void pkcs12KeystoresLoadWithAndWithoutPassword(KeyAlgorithm algorithm) throws Exception {
        CertificateKeyPair pair = TestCertificates.builder().names("a.test").algorithm(algorithm).selfSigned();
        Path withPassword = pkcs12("with.p12", pair, "s3cret".toCharArray());
        Path empty = pkcs12("empty.p12", pair, new char[0]);
        assertEquals(pair.leaf(), CertificateFiles.loadPkcs12(withPassword, Optional.of("s3cret".toCharArray())).leaf(),
                "the keystore opens with its password");
        assertEquals(pair.leaf(), CertificateFiles.loadPkcs12(empty, Optional.empty()).leaf(),
                "a keystore with an empty password opens without one");
        CertificateLoadException wrong = assertThrows(CertificateLoadException.class,
                () -> CertificateFiles.loadPkcs12(withPassword, Optional.of("nope".toCharArray())),
                "a wrong password must be reported");
        assertTrue(wrong.getMessage().startsWith(withPassword + ": wrong"), "message: " + wrong.getMessage());
    }

    @Test
    void aPkcs12FileThatIsNotAKeystoreIsRejected() throws IOException {
        Path bogus = write("bogus.p12", "not a keystore");
        CertificateLoadException e = assertThrows(CertificateLoadException.class,
                () -> CertificateFiles.loadPkcs12(bogus, Optional.empty()), "garbage is not a keystore");
        assertTrue(e.getMessage().startsWith(bogus + ": "), "the message names the file: " + e.getMessage());
    }

    @Test
    void pemRoundTripsThroughEncodeAndParse() throws CertificateLoadException {
        CertificateKeyPair pair = TestCertificates.authority("CA").issue("a.test");
        byte[] chain = Pem.encodeCertificates(pair.chain()).getBytes(US_ASCII);
        byte[] key = Pem.encodePrivateKey(pair.key()).getBytes(US_ASCII);
        CertificateKeyPair back = Pem.parseKeyPair(chain, "chain", key, "key");
        assertEquals(pair.chain(), back.chain(), "what Pem writes, Pem reads back unchanged");
        assertEquals(List.of(pair.key().getEncoded().length), List.of(back.key().getEncoded().length),
                "the key is the same size after a round trip");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, US_ASCII);
    }

    private Path pkcs12(String name, CertificateKeyPair pair, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", pair.key(), password, pair.chain().toArray(new Certificate[0]));
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }
}
