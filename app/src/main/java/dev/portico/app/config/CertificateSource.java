package dev.portico.app.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the certificate for a route's host is obtained. Every route of one host must agree.
 * Default: {@link Acme} for public names when an {@code acme} section exists, else {@link Internal}.
 */
public sealed interface CertificateSource
        permits CertificateSource.Acme, CertificateSource.Internal, CertificateSource.PemFiles, CertificateSource.Pkcs12File {

    /** Issued and renewed over ACME HTTP-01. */
    record Acme() implements CertificateSource {}

    /** Issued by Portico's own internal CA (localhost, IP addresses, private names). */
    record Internal() implements CertificateSource {}

    /** A PEM chain and a PEM key (PKCS#8 or traditional), watched and reloaded when they change. */
    record PemFiles(Path certificateChain, Path privateKey) implements CertificateSource {
        public PemFiles {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /** A PKCS#12 keystore, watched and reloaded when it changes. The password is never logged. */
    record Pkcs12File(Path file, Optional<String> password) implements CertificateSource {
        public Pkcs12File {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Pkcs12File[file=" + file + ", password=<redacted>]";
        }
    }
}
