package dev.portico.tls.sni;

import java.net.IDN;
import java.util.Locale;
import java.util.Objects;

/**
 * A host name as Portico compares it: lower-case ASCII (IDNA A-labels), no trailing dot, either an
 * exact name ({@code a.example.com}) or a one-label wildcard ({@code *.example.com}, which matches
 * {@code x.example.com} but neither {@code example.com} nor {@code x.y.example.com}).
 *
 * <p>Immutable; safe on any thread.
 */
public record HostPattern(String name, boolean wildcard) {

    public HostPattern {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: empty (expected a host name)");
        }
    }

    /**
     * Parses {@code example.com}, {@code *.example.com}, a Unicode name ({@code bücher.example}) or an
     * IP literal. Throws {@link IllegalArgumentException} with the reason when it is not a host name.
     */
    public static HostPattern parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        boolean wildcard = trimmed.startsWith("*.");
        String rest = wildcard ? trimmed.substring(2) : trimmed;
        if (rest.contains("*")) {
            throw new IllegalArgumentException("'" + text + "': a wildcard may only be the whole first label, as in *.example.com");
        }
        return new HostPattern(normalize(rest), wildcard);
    }

    /** An exact name from a handshake or a Host header; {@code null} when it is not a valid name. */
    public static String normalizeOrNull(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        try {
            return normalize(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Lower-case A-label form without a trailing dot. */
    public static String normalize(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty()) {
            throw new IllegalArgumentException("'" + name + "': empty host name");
        }
        if (n.startsWith("[") && n.endsWith("]")) {
            return n.toLowerCase(Locale.ROOT); // IPv6 literal
        }
        if (isPlainLowerCaseHostName(n)) {
            return n; // the common case (every request's Host): no IDNA conversion, no allocation
        }
        String ascii;
        try {
            ascii = IDN.toASCII(n, IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "': not a valid host name (" + e.getMessage() + ")");
        }
        if (ascii.isEmpty() || ascii.length() > 253) {
            throw new IllegalArgumentException("'" + name + "': not a valid host name (length)");
        }
        return ascii.toLowerCase(Locale.ROOT);
    }

    /**
     * True when {@code n} already is what IDNA with STD3 rules would return lower-cased: letters a-z,
     * digits, hyphens and dots, labels of 1 to 63 characters that neither start nor end with a hyphen,
     * at most 253 characters. Anything else takes the full conversion (and its error messages).
     */
    private static boolean isPlainLowerCaseHostName(String n) {
        int length = n.length();
        if (length > 253) {
            return false;
        }
        int labelStart = 0;
        for (int i = 0; i <= length; i++) {
            char c = i < length ? n.charAt(i) : '.';
            if (c == '.') {
                int labelLength = i - labelStart;
                if (labelLength == 0 || labelLength > 63 || n.charAt(labelStart) == '-' || n.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code host} (already normalized) is matched by this pattern. */
    public boolean matches(String host) {
        if (!wildcard) {
            return name.equals(host);
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.regionMatches(dot + 1, name, 0, name.length()) && host.length() - dot - 1 == name.length();
    }

    /** The wildcard pattern that would cover {@code host} ({@code *.parent}), or null for a single label. */
    public static String wildcardParentOf(String host) {
        int dot = host.indexOf('.');
        return dot > 0 && dot < host.length() - 1 ? host.substring(dot + 1) : null;
    }

    @Override
    public String toString() {
        return wildcard ? "*." + name : name;
    }
}
