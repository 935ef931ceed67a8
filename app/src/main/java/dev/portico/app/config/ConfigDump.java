package dev.portico.app.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A stable, readable text rendering of a {@link PorticoConfig}, every default filled in: what
 * {@code portico check} can print, and what the golden tests compare. Secrets are never rendered;
 * paths under {@code baseDir} are shown relative to it. Any thread.
 */
public final class ConfigDump {
    private ConfigDump() {}

    /** One line per setting, then one line per route and one of its options. */
    public static String render(PorticoConfig config, Path baseDir) {
        Path base = baseDir.toAbsolutePath().normalize();
        List<String> lines = new ArrayList<>();
        Listen l = config.listen();
        lines.add("listen https=" + AddressFormat.format(l.https())
                + " http=" + l.http().map(AddressFormat::format).orElse("off")
                + " admin=" + l.admin().map(AddressFormat::format).orElse("off")
                + (l.publicHttpsPort().isPresent() ? " public_https_port=" + l.publicHttpsPort().getAsInt() : ""));
        lines.add("storage " + shown(config.storage(), base));
        lines.add("tls provider=" + config.tls().provider().name().toLowerCase(Locale.ROOT)
                + " default=" + config.tls().defaultHost().map(Object::toString).orElse("none"));
        lines.add(config.acme().map(a -> "acme email=" + a.email() + " directory=" + a.directory()
                + " key_type=" + a.keyType().name().toLowerCase(Locale.ROOT).replace('_', '-')
                + " ca_bundle=" + a.caBundle().map(p -> shown(p, base)).orElse("none")
                + " eab=" + a.eab().map(e -> e.keyId() + "/<hmac>").orElse("none")
                + " profile=" + a.profile().orElse("none")).orElse("acme none"));
        lines.add("trusted_proxies " + (config.trustedProxies().isEmpty() ? "none"
                : config.trustedProxies().stream().map(Cidr::toString).collect(Collectors.joining(" "))));
        ServerLimits s = config.limits();
        lines.add("limits max_request_line=" + SizeFormat.format(s.maxRequestLine())
                + " max_header_size=" + SizeFormat.format(s.maxHeaderBytes())
                + " header_timeout=" + DurationFormat.format(s.headerTimeout())
                + " keepalive_timeout=" + DurationFormat.format(s.keepAliveTimeout())
                + " shutdown_grace=" + DurationFormat.format(s.shutdownGrace()));
        for (int i = 0; i < config.routes().size(); i++) {
            Route r = config.routes().get(i);
            lines.add("routes[" + i + "] line " + r.origin().line() + ": " + r.host() + r.pathPrefix() + " -> " + action(r.action()));
            lines.add("  tls=" + certificate(r.certificate(), base) + " " + options(r.options()));
        }
        return String.join("\n", lines) + "\n";
    }

    private static String action(RouteAction action) {
        if (action instanceof RouteAction.Proxy p) {
            return "proxy " + p.upstreams().stream().map(u -> u.uri().toString()).collect(Collectors.joining(" "));
        }
        if (action instanceof RouteAction.Redirect r) {
            return "redirect " + r.status() + " " + r.location();
        }
        RouteAction.Respond r = (RouteAction.Respond) action;
        return "respond " + r.status() + " body=\"" + NodeReader.shown(r.body()) + "\" headers=["
                + r.headers().stream().map(h -> h.getKey() + ": " + h.getValue()).collect(Collectors.joining(", ")) + "]";
    }

    private static String certificate(CertificateSource source, Path base) {
        if (source instanceof CertificateSource.PemFiles p) {
            return "{cert=" + shown(p.certificateChain(), base) + " key=" + shown(p.privateKey(), base) + "}";
        }
        if (source instanceof CertificateSource.Pkcs12File p) {
            return "{pkcs12=" + shown(p.file(), base) + " password=" + (p.password().isPresent() ? "<set>" : "none") + "}";
        }
        return RouteChecks.describe(source);
    }

    private static String options(RouteOptions o) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("http", o.httpBehaviour().name().toLowerCase(Locale.ROOT));
        fields.put("hsts", o.hsts().map(DurationFormat::format).orElse("off"));
        fields.put("max_request_body", SizeFormat.format(o.maxRequestBody()));
        fields.put("connect", DurationFormat.format(o.connectTimeout()));
        fields.put("response_header", DurationFormat.format(o.responseHeaderTimeout()));
        fields.put("idle", DurationFormat.format(o.idleTimeout()));
        fields.put("upgrade_idle", DurationFormat.format(o.upgradeIdleTimeout()));
        fields.put("websocket", Boolean.toString(o.allowUpgrade()));
        return fields.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static String shown(Path path, Path base) {
        return path.startsWith(base) ? "./" + base.relativize(path) : path.toString();
    }
}
