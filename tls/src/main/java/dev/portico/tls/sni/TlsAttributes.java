package dev.portico.tls.sni;

import io.netty.util.AttributeKey;

/** Channel attributes the TLS layer sets for the layers above it. */
public final class TlsAttributes {
    /**
     * The normalized SNI host name the client sent (see {@link HostPattern#normalize}), or unset when
     * it sent none. Set before the handshake completes; HTTP layers compare it with {@code Host}.
     */
    public static final AttributeKey<String> SNI_HOST_NAME = AttributeKey.valueOf("portico.sniHostName");

    private TlsAttributes() {}
}
