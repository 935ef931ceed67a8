package dev.portico.tls.sni;

import dev.portico.tls.certificate.CertificateKeyPair;
import io.netty.handler.ssl.SslContext;
import java.util.Objects;

/**
 * A certificate as the store serves it: the chain and key, the server {@link SslContext} already built
 * from them (building one is too slow for an event loop), and where it came from.
 *
 * @param pair the chain (leaf first) and the leaf's private key
 * @param context a server context built from {@code pair}, e.g. by
 *     {@link dev.portico.tls.policy.ServerContextFactory#serve}
 * @param source an operator label: {@code "internal"}, {@code "file:/etc/portico/a.pem"}, {@code "acme"}
 */
public record ServedCertificate(CertificateKeyPair pair, SslContext context, String source) {

    public ServedCertificate {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(source, "source");
        if (!context.isServer()) {
            throw new IllegalArgumentException("context: a client context (expected a server SslContext)");
        }
        if (source.isBlank()) {
            throw new IllegalArgumentException("source: blank (expected e.g. internal, file:/path, acme)");
        }
    }
}
