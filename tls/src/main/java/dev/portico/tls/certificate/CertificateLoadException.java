package dev.portico.tls.certificate;

import java.io.IOException;

/**
 * A certificate or key could not be loaded: the message names the origin (a file path or storage
 * key) and the reason, ready for an operator, e.g. {@code /etc/portico/key.pem: no private key found}.
 * It never contains key material.
 */
public final class CertificateLoadException extends IOException {
    private static final long serialVersionUID = 1L;

    public CertificateLoadException(String message) {
        super(message);
    }

    public CertificateLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
