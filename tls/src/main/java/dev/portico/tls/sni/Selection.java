package dev.portico.tls.sni;

import java.util.Objects;

/**
 * What the store answers for one SNI name: a certificate and how it was found, or nothing.
 * Immutable; safe on any thread.
 */
public sealed interface Selection permits Selection.Matched, Selection.NoMatch {

    /** How a {@link Matched} certificate was found, in lookup order. */
    enum Match {
        /** The SNI name equals an installed name. */
        EXACT,
        /** A {@code *.parent} entry covers the SNI name (one label only). */
        WILDCARD,
        /** Neither matched (or the client sent no SNI): the configured default. */
        DEFAULT
    }

    /** The certificate to serve; {@code pattern} is the installed name that matched. */
    record Matched(HostPattern pattern, ServedCertificate certificate, Match match) implements Selection {
        public Matched {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(match, "match");
        }
    }

    /** No installed name covers the SNI name and there is no usable default. */
    record NoMatch() implements Selection {}

    /** The single {@link NoMatch} value. */
    NoMatch NONE = new NoMatch();
}
