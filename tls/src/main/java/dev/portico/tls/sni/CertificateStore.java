package dev.portico.tls.sni;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The live certificate store: which certificate each host name gets. An immutable
 * {@link CertificateSnapshot} sits behind one {@code volatile} field; a handshake reads it once
 * ({@link #select}) and never locks, the control plane replaces it whole ({@link #install},
 * {@link #remove}, {@link #setDefault}). New handshakes see a change at once; established
 * connections keep the context they were built from.
 *
 * <p>Writers are serialized by this object's monitor so that two control-plane tasks cannot lose
 * each other's update; readers never take it.
 */
public final class CertificateStore {
    private volatile CertificateSnapshot current = CertificateSnapshot.EMPTY;

    /**
     * The certificate for an SNI name: exact name, then {@code *.parent} (one label only), then the
     * default, else {@link Selection#NONE}. {@code sniHost} must already be normalized
     * ({@link HostPattern#normalizeOrNull}); null means the client sent no usable name.
     *
     * <p>Event loop: one volatile read, never blocks.
     */
    public Selection select(String sniHost) {
        return current.select(sniHost);
    }

    /**
     * Serves {@code certificate} for every name in {@code names}, replacing what those names served.
     * Other names keep theirs.
     *
     * <p>Control plane only. The {@link io.netty.handler.ssl.SslContext} inside {@code certificate}
     * is already built, so this is one reference write.
     */
    public synchronized void install(Collection<HostPattern> names, ServedCertificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        List<HostPattern> copy = List.copyOf(Objects.requireNonNull(names, "names"));
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("names: empty (expected at least one host name)");
        }
        current = current.with(copy, certificate);
    }

    /** Stops serving {@code name}; no error when it is absent. Control plane only. */
    public synchronized void remove(HostPattern name) {
        Objects.requireNonNull(name, "name");
        current = current.without(name);
    }

    /**
     * Sets the name whose certificate answers handshakes that match nothing (or carry no SNI, as
     * when a client connects by IP address). The name is resolved at each handshake, so it follows
     * later installs; while nothing is installed under it, unmatched handshakes are refused.
     * Control plane only.
     */
    public synchronized void setDefault(Optional<HostPattern> name) {
        Objects.requireNonNull(name, "name");
        current = current.withDefault(name);
    }

    /** The configured default name, installed or not. Any thread. */
    public Optional<HostPattern> defaultName() {
        return current.defaultName();
    }

    /** The certificate installed for exactly {@code name} (no wildcard or default fallback). Any thread. */
    public Optional<ServedCertificate> certificateFor(HostPattern name) {
        return Optional.ofNullable(current.certificateFor(Objects.requireNonNull(name, "name")));
    }

    /** Every installed name and what it serves, sorted by name, for operators. Any thread. */
    public List<InstalledCertificate> installed() {
        CertificateSnapshot snapshot = current;
        List<InstalledCertificate> rows = new ArrayList<>();
        addRows(rows, snapshot.exact(), false, snapshot);
        addRows(rows, snapshot.wildcards(), true, snapshot);
        rows.sort(Comparator.comparing((InstalledCertificate row) -> row.name().name())
                .thenComparing(row -> row.name().wildcard()));
        return List.copyOf(rows);
    }

    private static void addRows(List<InstalledCertificate> rows, Map<String, ServedCertificate> entries,
                                boolean wildcard, CertificateSnapshot snapshot) {
        entries.forEach((name, served) -> {
            HostPattern pattern = new HostPattern(name, wildcard);
            X509Certificate leaf = served.pair().leaf();
            rows.add(new InstalledCertificate(pattern, leaf.getSubjectX500Principal().getName(),
                    leaf.getIssuerX500Principal().getName(), leaf.getNotAfter().toInstant(), served.source(),
                    snapshot.defaultName().filter(pattern::equals).isPresent()));
        });
    }
}
