package dev.portico.app.certificates;

import dev.portico.acme.CertificateState;
import dev.portico.tls.sni.InstalledCertificate;
import java.util.List;
import java.util.Optional;

/**
 * The operator's view of every certificate as JSON: what the live store serves (name, subject,
 * issuer, not-after, source, default) and, for ACME-managed names, the next renewal attempt and the
 * last error. Served by the admin listener at {@code /certificates} and printed by {@code portico certs}.
 */
public final class CertificateReport {
    private CertificateReport() {}

    /** Any thread: reads immutable snapshots only. */
    public static String json(List<InstalledCertificate> served, List<CertificateState> acme) {
        StringBuilder out = new StringBuilder(256 + 256 * served.size()).append("{\"served\":[");
        for (int i = 0; i < served.size(); i++) {
            InstalledCertificate c = served.get(i);
            out.append(i == 0 ? "" : ",").append("{\"name\":").append(quote(c.name().toString()))
                    .append(",\"subject\":").append(quote(c.subject()))
                    .append(",\"issuer\":").append(quote(c.issuer()))
                    .append(",\"notAfter\":").append(quote(c.notAfter().toString()))
                    .append(",\"source\":").append(quote(c.source()))
                    .append(",\"default\":").append(c.isDefault()).append('}');
        }
        out.append("],\"acme\":[");
        for (int i = 0; i < acme.size(); i++) {
            CertificateState s = acme.get(i);
            out.append(i == 0 ? "" : ",").append("{\"names\":[");
            int n = 0;
            for (String name : s.names().stream().sorted().toList()) {
                out.append(n++ == 0 ? "" : ",").append(quote(name));
            }
            out.append("],\"issuer\":").append(optional(s.issuer()))
                    .append(",\"notAfter\":").append(optional(s.notAfter()))
                    .append(",\"serial\":").append(optional(s.serial()))
                    .append(",\"nextRenewal\":").append(optional(s.nextRenewal()))
                    .append(",\"lastError\":").append(optional(s.lastError())).append('}');
        }
        return out.append("]}\n").toString();
    }

    private static String optional(Optional<?> value) {
        return value.map(v -> quote(v.toString())).orElse("null");
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
