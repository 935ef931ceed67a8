/**
 * The live certificate store and SNI selection.
 *
 * <p>How the pieces fit, control plane on the left, event loop on the right:
 * <pre>
 *  source (ACME, files, internal CA)                       TLS connection pipeline
 *     | CertificateKeyPair                                  "sni"  SniCertificateHandler
 *     v                                                        | ClientHello: SNI name, one store.select()
 *  ServerContextFactory.serve()  -- builds SslContext          v replaces itself with
 *     | ServedCertificate                                   "ssl"  SslHandler of the selected context
 *     v                                                        |  (or writes unrecognized_name and closes)
 *  CertificateStore.install()  -- one volatile write  ---->    v
 *                                                           HTTP handlers (write only after the
 *                                                           SslHandshakeCompletionEvent)
 * </pre>
 */
package dev.portico.tls.sni;
