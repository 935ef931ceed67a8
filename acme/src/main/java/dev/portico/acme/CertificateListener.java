package dev.portico.acme;

/**
 * Receives every certificate the ACME side has verified and stored, so the app can install it in
 * the live TLS store. Called on the ACME control-plane threads (never an event loop), once per
 * certificate loaded at startup and once per issuance or renewal. It may block briefly (e.g. to build
 * an {@code SslContext}); an exception it throws is logged and does not undo the stored certificate.
 */
@FunctionalInterface
public interface CertificateListener {
    void installed(ManagedCertificate certificate);
}
