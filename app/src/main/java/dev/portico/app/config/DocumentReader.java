package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the whole document into a {@link PorticoConfig}: each section, then the checks that need
 * several sections at once. Single-threaded, control plane.
 */
final class DocumentReader {
    static final List<String> KEYS = List.of("listen", "storage", "tls", "acme", "trusted_proxies", "limits", "routes");
    static final List<String> LISTEN_KEYS = List.of("https", "http", "admin", "public_https_port");
    static final List<String> TLS_KEYS = List.of("provider", "default");
    static final List<String> LIMIT_KEYS =
            List.of("max_request_line", "max_header_size", "header_timeout", "keepalive_timeout", "shutdown_grace");
    static final String DEFAULT_HTTPS = ":443";
    static final String DEFAULT_HTTP = ":80";
    static final String DEFAULT_ADMIN = "127.0.0.1:9090";
    private static final Map<String, TlsSettings.Provider> PROVIDERS = new TreeMap<>(Map.of(
            "auto", TlsSettings.Provider.AUTO, "openssl", TlsSettings.Provider.OPENSSL, "jdk", TlsSettings.Provider.JDK));

    private final Problems problems;
    private final NodeReader reader;
    private final Path baseDir;
    private final RouteReader routeReader;

    DocumentReader(Problems problems, Path baseDir) {
        this.problems = problems;
        this.reader = new NodeReader(problems);
        this.baseDir = baseDir;
        this.routeReader = new RouteReader(reader, baseDir);
    }

    /** The config, or empty when anything is wrong (every problem reported). */
    Optional<PorticoConfig> read(Node root) {
        Optional<YamlMapping> found = reader.mapping(root, "", KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping doc = found.get();
        int before = problems.count();
        Listeners listeners = listen(doc.value("listen"));
        Path storage = doc.value("storage").flatMap(n -> new ConfigFiles(reader, baseDir).path(n, "storage"))
                .orElse(baseDir.resolve("data").normalize());
        TlsSettings.Provider provider = TlsSettings.Provider.AUTO;
        Optional<HostPattern> defaultHost = Optional.empty();
        Node defaultNode = null;
        Optional<YamlMapping> tls = doc.value("tls").flatMap(n -> reader.mapping(n, "tls", TLS_KEYS));
        if (tls.isPresent()) {
            provider = tls.get().value("provider").flatMap(n -> reader.choice(n, "tls.provider", PROVIDERS)).orElse(provider);
            defaultNode = tls.get().value("default").orElse(null);
            defaultHost = tls.get().value("default").flatMap(n -> routeReader.host(n, "tls.default"));
        }
        Optional<AcmeSettings> acme = doc.value("acme").flatMap(n -> new AcmeReader(reader, baseDir).read(n));
        List<Cidr> trusted = doc.value("trusted_proxies").map(this::trustedProxies).orElse(List.of());
        ServerLimits limits = doc.value("limits").map(this::limits).orElse(ServerLimits.DEFAULTS);
        List<RouteDraft> drafts = routes(doc);
        List<Route> routes = new RouteChecks(problems, doc.has("acme"), listeners.httpOff()).check(drafts);
        if (defaultHost.isPresent()) {
            checkDefault(defaultHost.get(), defaultNode, drafts);
        }
        if (problems.count() > before || routes.isEmpty()) {
            return Optional.empty();
        }
        Listen listen = new Listen(listeners.https(), listeners.http(), listeners.admin(), listeners.publicHttpsPort());
        return Optional.of(new PorticoConfig(listen, storage, new TlsSettings(provider, defaultHost), acme, trusted, limits, routes));
    }

    private List<RouteDraft> routes(YamlMapping doc) {
        Optional<Node> node = doc.required("routes", "nothing to serve without at least one route", problems);
        Optional<List<Node>> items = node.flatMap(n -> reader.list(n, "routes", "a list of routes"));
        if (items.isPresent() && items.get().isEmpty()) {
            problems.add(node.get(), "routes", "empty list: nothing to serve (expected at least one route)");
        }
        List<RouteDraft> drafts = new ArrayList<>();
        List<Node> list = items.orElse(List.of());
        for (int i = 0; i < list.size(); i++) {
            routeReader.read(list.get(i), i).ifPresent(drafts::add);
        }
        return drafts;
    }

    private Listeners listen(Optional<Node> node) {
        Optional<YamlMapping> m = node.flatMap(n -> reader.mapping(n, "listen", LISTEN_KEYS));
        InetSocketAddress https = m.flatMap(x -> x.value("https")).flatMap(n -> address(n, "listen.https", false))
                .flatMap(a -> a).orElse(AddressFormat.parse(DEFAULT_HTTPS));
        Optional<InetSocketAddress> http = m.flatMap(x -> x.value("http")).flatMap(n -> address(n, "listen.http", true))
                .orElse(Optional.of(AddressFormat.parse(DEFAULT_HTTP)));
        Optional<InetSocketAddress> admin = m.flatMap(x -> x.value("admin")).flatMap(n -> address(n, "listen.admin", true))
                .orElse(Optional.of(AddressFormat.parse(DEFAULT_ADMIN)));
        Node httpOff = http.isPresent() ? null : m.flatMap(x -> x.value("http")).orElse(null);
        OptionalInt publicHttpsPort = m.flatMap(x -> x.value("public_https_port"))
                .flatMap(n -> reader.integer(n, "listen.public_https_port", 1, 65535))
                .map(OptionalInt::of).orElse(OptionalInt.empty());
        List<String> names = List.of("https", "http", "admin");
        List<Optional<InetSocketAddress>> addresses = List.of(Optional.of(https), http, admin);
        for (int later = 1; later < names.size(); later++) {
            for (int earlier = 0; earlier < later; earlier++) {
                Optional<InetSocketAddress> a = addresses.get(earlier);
                Optional<InetSocketAddress> b = addresses.get(later);
                if (a.isPresent() && b.isPresent() && AddressFormat.overlap(a.get(), b.get())) {
                    String earlierName = names.get(earlier);
                    String laterName = names.get(later);
                    Optional<Node> written = m.flatMap(x -> x.value(laterName));
                    if (written.isPresent() || m.flatMap(x -> x.value(earlierName)).isEmpty()) {
                        Origin at = written.map(problems::at).orElseGet(() -> problems.at((Mark) null));
                        problems.add(at, "listen." + laterName, AddressFormat.format(b.get()) + " overlaps the " + earlierName
                                + " listener's " + AddressFormat.format(a.get()) + " (each listener needs its own port)");
                    } else {
                        // Only the earlier one was written: it collides with the later one's default.
                        problems.add(m.get().value(earlierName).orElseThrow(), "listen." + earlierName,
                                AddressFormat.format(a.get()) + " overlaps the " + laterName + " listener's default "
                                + AddressFormat.format(b.get()) + " (each listener needs its own port; set listen."
                                + laterName + " to another address, or off)");
                    }
                    break; // one problem per listener is enough
                }
            }
        }
        return new Listeners(https, http, admin, httpOff, publicHttpsPort);
    }

    /** An address, or (when {@code mayBeOff}) {@code off} for no listener. */
    private Optional<Optional<InetSocketAddress>> address(Node node, String path, boolean mayBeOff) {
        if (node instanceof ScalarNode s && (s.getValue().equals("off") || s.getValue().equals("false"))) {
            if (mayBeOff) {
                return Optional.of(Optional.empty());
            }
            problems.add(node, path, "cannot be off (expected " + AddressFormat.EXAMPLES + ")");
            return Optional.empty();
        }
        String expected = "an address: " + AddressFormat.EXAMPLES + (mayBeOff ? ", or off" : "")
                + (node instanceof SequenceNode ? " (quote IPv6 addresses: \"[::1]:8443\")" : "");
        if (node instanceof ScalarNode s && s.getValue().matches("\\d{1,5}")) {
            problems.add(node, path, "found the number " + s.getValue() + ", expected an address (did you mean ':" + s.getValue() + "'?)");
            return Optional.empty();
        }
        return reader.parsed(node, path, expected, AddressFormat::parse).map(Optional::of);
    }

    private List<Cidr> trustedProxies(Node node) {
        List<Cidr> cidrs = new ArrayList<>();
        List<Node> items = reader.list(node, "trusted_proxies", "a list of addresses or CIDR blocks, e.g. [10.0.0.0/8, 127.0.0.1]")
                .orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            reader.parsed(items.get(i), "trusted_proxies[" + i + "]", "an address or CIDR block", Cidr::parse).ifPresent(cidrs::add);
        }
        return cidrs;
    }

    private ServerLimits limits(Node node) {
        ServerLimits d = ServerLimits.DEFAULTS;
        Optional<YamlMapping> found = reader.mapping(node, "limits", LIMIT_KEYS);
        if (found.isEmpty()) {
            return d;
        }
        YamlMapping m = found.get();
        int requestLine = intSize(m, "max_request_line").orElse(d.maxRequestLine());
        int headerSize = intSize(m, "max_header_size").orElse(d.maxHeaderBytes());
        Duration header = m.value("header_timeout").flatMap(n -> reader.duration(n, m.path("header_timeout"))).orElse(d.headerTimeout());
        Duration keepAlive = m.value("keepalive_timeout").flatMap(n -> reader.duration(n, m.path("keepalive_timeout")))
                .orElse(d.keepAliveTimeout());
        Duration grace = m.value("shutdown_grace").flatMap(n -> reader.duration(n, m.path("shutdown_grace"))).orElse(d.shutdownGrace());
        return new ServerLimits(requestLine, headerSize, header, keepAlive, grace);
    }

    private Optional<Integer> intSize(YamlMapping m, String key) {
        Optional<Node> node = m.value(key);
        Optional<Long> size = node.flatMap(n -> reader.size(n, m.path(key)));
        if (size.isPresent() && size.get() > Integer.MAX_VALUE) {
            problems.add(node.get(), m.path(key), "'" + ((ScalarNode) node.get()).getValue() + "' is too large (expected at most 2GiB - 1)");
            return Optional.empty();
        }
        return size.map(Long::intValue);
    }

    private void checkDefault(HostPattern host, Node node, List<RouteDraft> drafts) {
        List<String> routed = drafts.stream().map(d -> d.host().toString()).distinct().toList();
        if (!drafts.isEmpty() && drafts.stream().noneMatch(d -> d.host().equals(host))) {
            problems.add(node, "tls.default", "'" + host + "' is not a routed host (expected one of: "
                    + String.join(", ", routed) + Suggestion.hint(host.toString(), routed) + ")");
        }
    }

    /** The listeners as read; {@code httpOff} is where {@code http: off} was written, or null. */
    private record Listeners(
            InetSocketAddress https, Optional<InetSocketAddress> http, Optional<InetSocketAddress> admin, Node httpOff,
            OptionalInt publicHttpsPort) {}
}
