package dev.portico.tls.certificate;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Certificates a user gives Portico as files: a PEM chain plus PEM key (possibly one combined
 * file), or a PKCS#12 keystore. File I/O and parsing: control plane only.
 */
public final class CertificateFiles {
    private CertificateFiles() {}

    /**
     * Loads a PEM chain (leaf first) and its key. {@code key} may be the same file as {@code chain}.
     *
     * @throws CertificateLoadException naming the file and the reason (missing, no certificate, no
     *     private key, encrypted key, garbage, key does not match certificate)
     */
    public static CertificateKeyPair loadPem(Path chain, Path key) throws CertificateLoadException {
        return Pem.parseKeyPair(read(chain), chain.toString(), read(key), key.toString());
    }

    /**
     * Loads the first key entry of a PKCS#12 keystore, with its chain. Without a password the empty
     * password is tried (what {@code openssl pkcs12 -passout pass:} produces).
     *
     * @throws CertificateLoadException naming the file: unreadable, wrong password, no key entry,
     *     key does not match certificate
     */
    public static CertificateKeyPair loadPkcs12(Path keystore, Optional<char[]> password) throws CertificateLoadException {
        Objects.requireNonNull(password, "password");
        char[] secret = password.orElse(new char[0]);
        byte[] bytes = read(keystore);
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), secret);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new CertificateLoadException(keystore + ": wrong keystore password", e);
            }
            throw new CertificateLoadException(keystore + ": not a PKCS#12 keystore (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new CertificateLoadException(keystore + ": unreadable PKCS#12 keystore (" + e.getMessage() + ")", e);
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, secret);
                Certificate[] chain = store.getCertificateChain(alias);
                if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0) {
                    continue;
                }
                List<X509Certificate> certificates = new ArrayList<>();
                for (Certificate certificate : chain) {
                    certificates.add((X509Certificate) certificate);
                }
                try {
                    return new CertificateKeyPair(certificates, privateKey);
                } catch (IllegalArgumentException e) {
                    throw new CertificateLoadException(keystore + ": key does not match certificate in entry '"
                            + alias + "'", e);
                }
            }
        } catch (UnrecoverableKeyException e) {
            throw new CertificateLoadException(keystore + ": wrong key password", e);
        } catch (GeneralSecurityException e) {
            throw new CertificateLoadException(keystore + ": unreadable key entry (" + e.getMessage() + ")", e);
        }
        throw new CertificateLoadException(keystore + ": no private key entry with a certificate chain found");
    }

    private static byte[] read(Path file) throws CertificateLoadException {
        Objects.requireNonNull(file, "file");
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CertificateLoadException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CertificateLoadException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
