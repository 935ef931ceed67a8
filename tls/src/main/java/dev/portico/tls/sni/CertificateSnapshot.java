package dev.portico.tls.sni;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable state of the {@link CertificateStore}: exact names, wildcard entries keyed by their
 * parent ({@code *.example.com} is stored under {@code example.com}), and the default name. Every
 * change makes a new snapshot; readers on event loops never see a half-made one.
 */
record CertificateSnapshot(Map<String, ServedCertificate> exact, Map<String, ServedCertificate> wildcards,
                           Optional<HostPattern> defaultName) {

    static final CertificateSnapshot EMPTY = new CertificateSnapshot(Map.of(), Map.of(), Optional.empty());

    CertificateSnapshot {
        exact = Map.copyOf(exact);
        wildcards = Map.copyOf(wildcards);
    }

    /**
     * Exact name, then {@code *.parent} (one label only), then the default, else {@link Selection#NONE}.
     * {@code host} is normalized ({@link HostPattern#normalizeOrNull}) or null when the client sent no
     * usable SNI. Any thread; never blocks.
     */
    Selection select(String host) {
        if (host != null) {
            ServedCertificate exactMatch = exact.get(host);
            if (exactMatch != null) {
                return new Selection.Matched(new HostPattern(host, false), exactMatch, Selection.Match.EXACT);
            }
            String parent = HostPattern.wildcardParentOf(host);
            if (parent != null) {
                ServedCertificate wildcardMatch = wildcards.get(parent);
                if (wildcardMatch != null) {
                    return new Selection.Matched(new HostPattern(parent, true), wildcardMatch, Selection.Match.WILDCARD);
                }
            }
        }
        if (defaultName.isPresent()) {
            ServedCertificate fallback = certificateFor(defaultName.get());
            if (fallback != null) {
                return new Selection.Matched(defaultName.get(), fallback, Selection.Match.DEFAULT);
            }
        }
        return Selection.NONE;
    }

    /** The certificate installed for exactly this pattern, or null. */
    ServedCertificate certificateFor(HostPattern pattern) {
        return (pattern.wildcard() ? wildcards : exact).get(pattern.name());
    }

    CertificateSnapshot with(Iterable<HostPattern> names, ServedCertificate certificate) {
        Map<String, ServedCertificate> newExact = new HashMap<>(exact);
        Map<String, ServedCertificate> newWildcards = new HashMap<>(wildcards);
        for (HostPattern name : names) {
            (name.wildcard() ? newWildcards : newExact).put(name.name(), certificate);
        }
        return new CertificateSnapshot(newExact, newWildcards, defaultName);
    }

    CertificateSnapshot without(HostPattern name) {
        if (certificateFor(name) == null) {
            return this;
        }
        Map<String, ServedCertificate> newExact = new HashMap<>(exact);
        Map<String, ServedCertificate> newWildcards = new HashMap<>(wildcards);
        (name.wildcard() ? newWildcards : newExact).remove(name.name());
        return new CertificateSnapshot(newExact, newWildcards, defaultName);
    }

    CertificateSnapshot withDefault(Optional<HostPattern> name) {
        return new CertificateSnapshot(exact, wildcards, name);
    }
}
