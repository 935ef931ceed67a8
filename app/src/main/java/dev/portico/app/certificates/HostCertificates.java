package dev.portico.app.certificates;

import dev.portico.acme.RenewalScheduler;
import dev.portico.app.config.CertificateSource;
import dev.portico.app.config.PorticoConfig;
import dev.portico.app.config.Route;
import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.internalca.InternalCa;
import dev.portico.tls.policy.ServerContextFactory;
import dev.portico.tls.sni.CertificateStore;
import dev.portico.tls.sni.HostPattern;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the live {@link CertificateStore} in step with the configuration: every routed host gets a
 * certificate from the source its routes name (internal CA, files, or ACME), hosts no longer routed
 * stop being served, and internal-CA leaves are renewed before they expire.
 *
 * <p>What a client sees for an ACME host before its first certificate arrives: the configured
 * {@code tls.default} certificate when there is one, else an {@code unrecognized_name} alert. Port 80
 * keeps answering challenges and redirects meanwhile.
 *
 * <p>Control plane only: every method does file I/O, key generation or builds an {@code SslContext}.
 * Calls are serialized by this object's monitor.
 */
public final class HostCertificates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostCertificates.class);

    private final CertificateStore store;
    private final ServerContextFactory contexts;
    private final InternalCa internalCa;
    private final Optional<RenewalScheduler> acme;
    private final Clock clock;
    private final Duration internalLeafLifetime;
    private final CertificateFileWatches fileWatches;
    private Map<HostPattern, CertificateSource> current = Map.of();

    public HostCertificates(CertificateStore store, ServerContextFactory contexts, InternalCa internalCa,
            Optional<RenewalScheduler> acme, Clock clock, Duration internalLeafLifetime) {
        this.store = store;
        this.contexts = contexts;
        this.internalCa = internalCa;
        this.acme = acme;
        this.clock = clock;
        this.internalLeafLifetime = internalLeafLifetime;
        this.fileWatches = new CertificateFileWatches(this::installFromFiles);
    }

    /**
     * Brings the store in line with {@code config}: obtains certificates for new hosts, drops hosts
     * no longer routed, sets the default. A host whose certificate cannot be obtained is logged and
     * left without one; the others still serve.
     */
    public synchronized void apply(PorticoConfig config) {
        Map<HostPattern, CertificateSource> wanted = sourcesByHost(config.routes());
        for (Map.Entry<HostPattern, CertificateSource> old : current.entrySet()) {
            CertificateSource now = wanted.get(old.getKey());
            if (!old.getValue().equals(now)) {
                stopSource(old.getKey(), old.getValue());
                if (now == null) {
                    store.remove(old.getKey());
                    LOG.info("certificate removed host={} reason=no longer routed", old.getKey());
                }
            }
        }
        for (Map.Entry<HostPattern, CertificateSource> e : wanted.entrySet()) {
            if (!e.getValue().equals(current.get(e.getKey()))) {
                startSource(e.getKey(), e.getValue());
            }
        }
        current = wanted;
        store.setDefault(config.tls().defaultHost());
    }

    /** Re-issues internal-CA leaves that are due; the caller runs it periodically (e.g. hourly). */
    public synchronized void renewInternalLeaves() {
        for (Map.Entry<HostPattern, CertificateSource> e : current.entrySet()) {
            if (e.getValue() instanceof CertificateSource.Internal) {
                boolean due = store.certificateFor(e.getKey())
                        .map(served -> InternalCa.needsRenewal(served.pair().leaf(), clock.instant()))
                        .orElse(true);
                if (due) {
                    issueInternal(e.getKey());
                }
            }
        }
    }

    /** The internal CA, whose root users trust once for local names. */
    public InternalCa internalCa() {
        return internalCa;
    }

    @Override
    public synchronized void close() {
        fileWatches.close();
    }

    static Map<HostPattern, CertificateSource> sourcesByHost(List<Route> routes) {
        Map<HostPattern, CertificateSource> byHost = new LinkedHashMap<>();
        for (Route route : routes) {
            // The config validator guarantees every route of a host names the same source.
            byHost.putIfAbsent(route.host(), route.certificate());
        }
        return byHost;
    }

    private void startSource(HostPattern host, CertificateSource source) {
        if (source instanceof CertificateSource.Internal) {
            issueInternal(host);
        } else if (source instanceof CertificateSource.Acme) {
            if (acme.isEmpty()) {
                LOG.error("certificate unavailable host={} reason=tls: acme but no acme section", host);
            } else {
                acme.get().manage(Set.of(host.name()));
            }
        } else {
            fileWatches.watch(host, source);
        }
    }

    private void stopSource(HostPattern host, CertificateSource source) {
        if (source instanceof CertificateSource.Acme) {
            acme.ifPresent(s -> s.unmanage(Set.of(host.name())));
        } else if (!(source instanceof CertificateSource.Internal)) {
            fileWatches.unwatch(host);
        }
    }

    private void issueInternal(HostPattern host) {
        try {
            CertificateKeyPair pair = internalCa.issue(List.of(host.toString()), internalLeafLifetime);
            store.install(List.of(host), contexts.serve(pair, "internal"));
            LOG.info("certificate issued host={} source=internal notAfter={}", host, pair.leaf().getNotAfter().toInstant());
        } catch (Exception e) {
            LOG.error("certificate failed host={} source=internal error={}", host, e.toString());
        }
    }

    /** Called by the file watches, on their thread, with a freshly loaded pair. */
    private void installFromFiles(HostPattern host, CertificateKeyPair pair, String label) throws Exception {
        store.install(List.of(host), contexts.serve(pair, label));
        LOG.info("certificate loaded host={} source={} notAfter={}", host, label, pair.leaf().getNotAfter().toInstant());
    }
}
