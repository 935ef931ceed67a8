package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads one entry of {@code routes} into a {@link RouteDraft}. Single-threaded, control plane. */
final class RouteReader {
    static final List<String> KEYS = List.of("host", "path", "proxy", "respond", "redirect", "tls",
            "max_request_body", "timeouts", "websocket", "http", "hsts");
    static final List<String> ACTIONS = List.of("proxy", "respond", "redirect");
    static final List<String> PROXY_ONLY = List.of("max_request_body", "timeouts", "websocket");
    static final List<String> TIMEOUT_KEYS = List.of("connect", "response_header", "idle", "upgrade_idle");
    static final List<String> TLS_FILE_KEYS = List.of("cert", "key", "pkcs12", "password");
    private static final Map<String, String> TLS_NAMES = new TreeMap<>(Map.of("acme", "acme", "internal", "internal"));
    private static final Map<String, RouteOptions.HttpBehaviour> HTTP_BEHAVIOURS = new TreeMap<>(Map.of(
            "redirect", RouteOptions.HttpBehaviour.REDIRECT, "serve", RouteOptions.HttpBehaviour.SERVE));

    private final NodeReader reader;
    private final Problems problems;
    private final ActionReader actions;
    private final Path baseDir;

    RouteReader(NodeReader reader, Path baseDir) {
        this.reader = reader;
        this.problems = reader.problems();
        this.actions = new ActionReader(reader);
        this.baseDir = baseDir;
    }

    /**
     * The route at {@code routes[index]}, problems reported; empty only when it has no usable host,
     * since every whole-document check is about hosts.
     */
    Optional<RouteDraft> read(Node node, int index) {
        String path = "routes[" + index + "]";
        Optional<YamlMapping> found = reader.mapping(node, path, KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<Node> hostNode = m.required("host", "the host name this route answers, e.g. app.example.com", problems);
        Optional<HostPattern> host = hostNode.flatMap(n -> host(n, m.path("host")));
        String pathPrefix = m.value("path").flatMap(n -> pathPrefix(n, m.path("path"))).orElse("/");
        Optional<RouteAction> action = action(m);
        Optional<CertificateSource> tls = m.value("tls").flatMap(n -> tls(n, m.path("tls")));
        RouteOptions options = options(m, action);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        Node tlsNode = m.has("tls") ? m.value("tls").orElseThrow() : hostNode.orElseThrow();
        return Optional.of(new RouteDraft(index, host.get(), hostNode.orElseThrow(), pathPrefix, action, tls,
                m.has("tls") && tls.isEmpty(), tlsNode, options, problems.at(node)));
    }

    /** A route host or {@code tls.default}: exact, {@code *.parent}, IP literal; Unicode becomes A-labels. */
    Optional<HostPattern> host(Node node, String path) {
        Optional<String> text = reader.string(node, path, "a host name such as app.example.com or *.example.com");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String t = text.get().strip();
        try {
            if (t.contains("/") || (t.contains(":") && IpLiteral.parse(t).isEmpty())) {
                throw new IllegalArgumentException("'" + NodeReader.shown(t) + "' is not a host name (no scheme, port"
                        + " or path here: write app.example.com, and a path prefix under 'path')");
            }
            boolean ipv6 = t.contains(":");
            return Optional.of(HostPattern.parse(ipv6 && !t.startsWith("[") ? "[" + t + "]" : t));
        } catch (IllegalArgumentException e) {
            problems.add(node, path, e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<String> pathPrefix(Node node, String path) {
        Optional<String> text = reader.string(node, path, "a path prefix starting with /");
        if (text.isPresent()) {
            String p = text.get();
            if (!p.startsWith("/") || p.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == '?' || c == '#')) {
                problems.add(node, path, "'" + NodeReader.shown(p) + "' is not a path prefix (expected it to start with /,"
                        + " without spaces, ? or #)");
                return Optional.empty();
            }
        }
        return text;
    }

    private Optional<RouteAction> action(YamlMapping m) {
        List<String> given = ACTIONS.stream().filter(m::has).toList();
        boolean misspelt = m.unknownKeys().stream().anyMatch(k -> Suggestion.closest(k, ACTIONS).isPresent());
        if (given.isEmpty() && misspelt) {
            return Optional.empty(); // the unknown key's did-you-mean already says it
        }
        if (given.isEmpty()) {
            problems.add(m.node(), m.path(), "no action (expected exactly one of: proxy, respond, redirect)");
            return Optional.empty();
        }
        if (given.size() > 1) {
            problems.add(m.keyNode(given.get(1)), m.path(), "'" + given.get(0) + "' and '" + given.get(1)
                    + "' are both given (expected exactly one of: proxy, respond, redirect)");
            return Optional.empty();
        }
        String name = given.get(0);
        Node value = m.value(name).orElseThrow();
        return switch (name) {
            case "proxy" -> actions.proxy(value, m.path(name));
            case "respond" -> actions.respond(value, m.path(name));
            default -> actions.redirect(value, m.path(name));
        };
    }

    private Optional<CertificateSource> tls(Node node, String path) {
        if (!(node instanceof MappingNode)) {
            return reader.choice(node, path, TLS_NAMES).map(name -> name.equals("acme")
                    ? new CertificateSource.Acme() : new CertificateSource.Internal());
        }
        Optional<YamlMapping> found = reader.mapping(node, path, TLS_FILE_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        ConfigFiles files = new ConfigFiles(reader, baseDir);
        if (m.has("pkcs12")) {
            for (String other : List.of("cert", "key")) {
                if (m.has(other)) {
                    problems.add(m.keyNode(other), path, "'" + other + "' and 'pkcs12' are both given (expected either"
                            + " { cert, key } or { pkcs12, password })");
                    return Optional.empty();
                }
            }
            Optional<Path> file = files.existing(m.value("pkcs12").orElseThrow(), m.path("pkcs12"));
            Optional<String> password = m.value("password").flatMap(n -> reader.secret(n, m.path("password")));
            if (m.has("password") && password.isEmpty()) {
                return Optional.empty();
            }
            return file.map(f -> new CertificateSource.Pkcs12File(f, password));
        }
        if (m.has("password")) {
            problems.add(m.keyNode("password"), path, "'password' applies only to a 'pkcs12' keystore (PEM keys must be unencrypted)");
        }
        if (!m.has("cert") && !m.has("key")) {
            problems.add(node, path, "found an empty mapping, expected { cert: chain.pem, key: key.pem } or { pkcs12: file.p12, password: ... }");
            return Optional.empty();
        }
        Optional<Path> cert = m.required("cert", "the PEM certificate chain, leaf first", problems)
                .flatMap(n -> files.existing(n, m.path("cert")));
        Optional<Path> key = m.required("key", "the PEM private key of the certificate", problems)
                .flatMap(n -> files.existing(n, m.path("key")));
        if (cert.isEmpty() || key.isEmpty() || m.has("password")) {
            return Optional.empty();
        }
        return Optional.of(new CertificateSource.PemFiles(cert.get(), key.get()));
    }

    private RouteOptions options(YamlMapping m, Optional<RouteAction> action) {
        if (action.isPresent() && !(action.get() instanceof RouteAction.Proxy)) {
            String kind = ACTIONS.stream().filter(m::has).findFirst().orElse("");
            for (String key : PROXY_ONLY) {
                if (m.has(key)) {
                    problems.add(m.keyNode(key), m.path(), "'" + key + "' applies only to proxy routes (this route uses " + kind + ")");
                }
            }
        }
        RouteOptions d = RouteOptions.DEFAULTS;
        long maxBody = m.value("max_request_body").flatMap(n -> reader.size(n, m.path("max_request_body"))).orElse(d.maxRequestBody());
        Duration connect = d.connectTimeout();
        Duration responseHeader = d.responseHeaderTimeout();
        Duration idle = d.idleTimeout();
        Duration upgradeIdle = d.upgradeIdleTimeout();
        Optional<YamlMapping> timeouts = m.value("timeouts").flatMap(n -> reader.mapping(n, m.path("timeouts"), TIMEOUT_KEYS));
        if (timeouts.isPresent()) {
            YamlMapping t = timeouts.get();
            connect = t.value("connect").flatMap(n -> reader.duration(n, t.path("connect"))).orElse(connect);
            responseHeader = t.value("response_header").flatMap(n -> reader.duration(n, t.path("response_header"))).orElse(responseHeader);
            idle = t.value("idle").flatMap(n -> reader.duration(n, t.path("idle"))).orElse(idle);
            upgradeIdle = t.value("upgrade_idle").flatMap(n -> reader.duration(n, t.path("upgrade_idle"))).orElse(upgradeIdle);
        }
        boolean websocket = m.value("websocket").flatMap(n -> reader.bool(n, m.path("websocket"))).orElse(d.allowUpgrade());
        RouteOptions.HttpBehaviour http = m.value("http").flatMap(n -> reader.choice(n, m.path("http"), HTTP_BEHAVIOURS))
                .orElse(d.httpBehaviour());
        Optional<Duration> hsts = m.value("hsts").flatMap(n -> hsts(n, m.path("hsts"))).orElse(d.hsts());
        return new RouteOptions(maxBody, connect, responseHeader, idle, upgradeIdle, websocket, http, hsts);
    }

    /** {@code off} (YAML reads it as the boolean false) or a max-age duration. */
    private Optional<Optional<Duration>> hsts(Node node, String path) {
        if (node instanceof ScalarNode s && (s.getValue().equals("off") || s.getValue().equals("false"))) {
            return Optional.of(Optional.empty());
        }
        if (node instanceof ScalarNode s && s.getValue().matches("\\d+")) {
            problems.add(node, path, "found the number " + s.getValue() + ", expected a max-age duration such as 365d, or off");
            return Optional.empty();
        }
        return reader.duration(node, path).map(Optional::of);
    }
}
