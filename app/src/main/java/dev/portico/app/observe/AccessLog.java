package dev.portico.app.observe;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the logger {@value #LOGGER}, which the logging config sends to stdout
 * through an asynchronous appender: the event loop only formats the line and enqueues it. The path
 * is logged without its query string (queries often carry tokens); no header values are logged.
 */
public final class AccessLog {
    public static final String LOGGER = "portico.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {}

    /** Event loop: formats and enqueues; never blocks (the appender drops rather than wait). */
    static void write(Instant time, String client, String host, String method, String path, int status, long bytes,
            long nanos, String route, String upstream, String tls) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":\"").append(time).append('"');
        field(b, "client", client);
        field(b, "host", host);
        field(b, "method", method);
        field(b, "path", path);
        b.append(",\"status\":").append(status);
        b.append(",\"bytes\":").append(bytes);
        b.append(",\"duration_ms\":").append(nanos / 1_000_000.0);
        field(b, "route", route);
        field(b, "upstream", upstream);
        field(b, "tls", tls);
        LOG.info(b.append('}').toString());
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
