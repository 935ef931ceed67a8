package dev.portico.tls.policy;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** Which TLS implementation terminates connections. */
public enum TlsProvider {
    /** OpenSSL (netty-tcnative BoringSSL) when it loads on this machine, else the JDK. */
    AUTO,
    /** OpenSSL (netty-tcnative BoringSSL); refusing to start when it does not load. */
    OPENSSL,
    /** The JDK's own TLS (SunJSSE). */
    JDK;

    /**
     * The Netty provider to build contexts with. Non-reference-counted {@link SslProvider#OPENSSL}
     * contexts free their native memory when collected, so a swapped-out certificate needs no release
     * bookkeeping while connections still use it.
     *
     * @throws IllegalStateException for {@link #OPENSSL} when netty-tcnative does not load, with the cause
     */
    public SslProvider resolve() {
        return switch (this) {
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("TLS provider OPENSSL: netty-tcnative is not available ("
                            + OpenSsl.unavailabilityCause() + "); use provider AUTO or JDK",
                            OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
        };
    }
}
