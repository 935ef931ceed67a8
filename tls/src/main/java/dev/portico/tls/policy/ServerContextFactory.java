package dev.portico.tls.policy;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.sni.ServedCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSslServerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.lang.ref.WeakReference;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the server {@link SslContext} of every certificate Portico serves, all to one
 * {@link TlsPolicy}: TLS 1.2 and 1.3, AEAD suites, the policy's ALPN list, session resumption.
 *
 * <p><b>Session resumption across certificate swaps.</b> With the OpenSSL provider every context this
 * factory builds shares one ring of session ticket keys, so a ticket issued under a certificate that
 * has since been replaced (or by another host name's context) still resumes. The ring gets a new key
 * when {@link #rotateTicketKeysIfDue()} finds one due (the caller schedules it, e.g. every minute);
 * older keys keep decrypting for {@link TlsPolicy#TICKET_KEYS_KEPT}{@code - 1} more periods.
 *
 * <p>With the JDK provider resumption works, but SunJSSE keeps its ticket keys (and session cache)
 * inside each {@code SSLContext} and rotates them itself: a client resuming after a certificate swap
 * falls back to a full handshake. Nothing breaks; the handshake is just not abbreviated.
 *
 * <p>Every method is control plane only: building a context parses keys and, for OpenSSL, allocates
 * native memory, which is too slow for an event loop. Methods are thread-safe.
 */
public final class ServerContextFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ServerContextFactory.class);

    private final TlsPolicy policy;
    private final SslProvider provider;
    private final Clock clock;
    private final ApplicationProtocolConfig alpn;
    private final TicketKeyRing ticketKeys;
    private final List<WeakReference<OpenSslServerContext>> openSslContexts = new ArrayList<>();

    /**
     * @param policy the TLS policy
     * @param clock drives ticket key rotation
     * @param random the source of ticket keys
     * @throws IllegalStateException when the policy asks for OpenSSL and it does not load
     */
    public ServerContextFactory(TlsPolicy policy, Clock clock, SecureRandom random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.provider = policy.provider().resolve();
        this.alpn = policy.applicationProtocols().isEmpty()
                ? ApplicationProtocolConfig.DISABLED
                : new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        policy.applicationProtocols());
        this.ticketKeys = provider == SslProvider.OPENSSL
                ? new TicketKeyRing(policy.ticketKeyRotation(), TlsPolicy.TICKET_KEYS_KEPT,
                        Objects.requireNonNull(random, "random"), clock.instant())
                : null;
    }

    /** The provider contexts are built with ({@link TlsProvider#AUTO} resolved). */
    public SslProvider provider() {
        return provider;
    }

    /** The policy contexts are built to. */
    public TlsPolicy policy() {
        return policy;
    }

    /**
     * A server context serving {@code pair}. Control plane only.
     *
     * @throws SSLException when the provider rejects the key or chain
     */
    public SslContext build(CertificateKeyPair pair) throws SSLException {
        Objects.requireNonNull(pair, "pair");
        SslContext context = SslContextBuilder.forServer(pair.key(), pair.chain())
                .sslProvider(provider)
                .protocols(TlsPolicy.PROTOCOLS)
                .ciphers(TlsPolicy.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(alpn)
                .sessionTimeout(policy.ticketKeyRotation().toSeconds())
                .build();
        if (context instanceof OpenSslServerContext openSsl) {
            synchronized (this) {
                openSsl.sessionContext().setTicketKeys(ticketKeys.keys());
                openSslContexts.add(new WeakReference<>(openSsl));
            }
        }
        return context;
    }

    /** {@link #build} wrapped as what the store serves. Control plane only. */
    public ServedCertificate serve(CertificateKeyPair pair, String source) throws SSLException {
        return new ServedCertificate(pair, build(pair), source);
    }

    /**
     * Makes a new session ticket key when one is due by the clock and hands the ring to every live
     * OpenSSL context; true when it rotated. Does nothing for the JDK provider. Control plane only;
     * call it periodically (well within {@link TlsPolicy#ticketKeyRotation()}).
     */
    public synchronized boolean rotateTicketKeysIfDue() {
        if (ticketKeys == null || !ticketKeys.rotateIfDue(clock.instant())) {
            return false;
        }
        int updated = 0;
        for (Iterator<WeakReference<OpenSslServerContext>> it = openSslContexts.iterator(); it.hasNext(); ) {
            OpenSslServerContext context = it.next().get();
            if (context == null) {
                it.remove();
            } else {
                context.sessionContext().setTicketKeys(ticketKeys.keys());
                updated++;
            }
        }
        LOG.info("tls.ticket_keys.rotated contexts={} next={}", updated, ticketKeys.nextRotation());
        return true;
    }

    /** When {@link #rotateTicketKeysIfDue()} will next rotate; empty for the JDK provider. */
    public synchronized Optional<Instant> nextTicketKeyRotation() {
        return ticketKeys == null ? Optional.empty() : Optional.of(ticketKeys.nextRotation());
    }
}
