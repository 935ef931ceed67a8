/**
 * Certificates and keys: the {@link dev.portico.tls.certificate.CertificateKeyPair} value, PEM and
 * PKCS#12 loading with operator-readable errors, and the watcher that reloads files when they change.
 */
package dev.portico.tls.certificate;
