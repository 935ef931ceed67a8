package dev.portico.tls.certificate;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Files a user points Portico at for one certificate: a PEM chain and key, or a PKCS#12 keystore. */
public sealed interface CertificateFileSource permits CertificateFileSource.PemFiles, CertificateFileSource.Pkcs12File {

    /** Reads and checks the files. File I/O: control plane only. */
    CertificateKeyPair load() throws CertificateLoadException;

    /** Every file whose change means a reload. */
    List<Path> files();

    /** The operator label of certificates from here, {@code file:/path/to/chain.pem}. */
    default String label() {
        return "file:" + files().get(0);
    }

    /** A PEM chain (leaf first) and its key; both may be the same file. */
    record PemFiles(Path chain, Path key) implements CertificateFileSource {
        public PemFiles {
            chain = Objects.requireNonNull(chain, "chain").toAbsolutePath().normalize();
            key = Objects.requireNonNull(key, "key").toAbsolutePath().normalize();
        }

        @Override
        public CertificateKeyPair load() throws CertificateLoadException {
            return CertificateFiles.loadPem(chain, key);
        }

        @Override
        public List<Path> files() {
            return chain.equals(key) ? List.of(chain) : List.of(chain, key);
        }
    }

    /** A PKCS#12 keystore and its optional password. */
    record Pkcs12File(Path keystore, Optional<char[]> password) implements CertificateFileSource {
        public Pkcs12File {
            keystore = Objects.requireNonNull(keystore, "keystore").toAbsolutePath().normalize();
            password = Objects.requireNonNull(password, "password").map(char[]::clone);
        }

        @Override
        public CertificateKeyPair load() throws CertificateLoadException {
            return CertificateFiles.loadPkcs12(keystore, password.map(char[]::clone));
        }

        @Override
        public List<Path> files() {
            return List.of(keystore);
        }

        @Override
        public String toString() {
            return "Pkcs12File[keystore=" + keystore + ", password=" + (password.isPresent() ? "***" : "none") + "]";
        }
    }
}
