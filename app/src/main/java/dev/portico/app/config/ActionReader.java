package dev.portico.app.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads a route's action: {@code proxy}, {@code respond} or {@code redirect}. Single-threaded. */
final class ActionReader {
    static final List<String> RESPOND_KEYS = List.of("status", "body", "headers");
    static final List<String> REDIRECT_KEYS = List.of("to", "status");
    static final List<String> PLACEHOLDERS = List.of("{uri}", "{host}");

    /** RFC 9110 §5.6.2 token characters. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]*}");
    /** Framing is Portico's job: a fixed header here would contradict the body it sends. */
    private static final Set<String> FRAMING_HEADERS = Set.of("content-length", "transfer-encoding", "connection");
    private static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);

    private final NodeReader reader;
    private final Problems problems;

    ActionReader(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /** {@code proxy: http://a:1} or {@code proxy: [http://a:1, h2c://b:2]}. */
    Optional<RouteAction> proxy(Node node, String path) {
        String expected = "an upstream URL or a list of them: " + UpstreamFormat.EXAMPLES;
        List<Node> items = node instanceof ScalarNode ? List.of(node) : reader.list(node, path, expected).orElse(null);
        if (items == null) {
            return Optional.empty();
        }
        if (items.isEmpty()) {
            problems.add(node, path, "empty list (expected at least one upstream: " + UpstreamFormat.EXAMPLES + ")");
            return Optional.empty();
        }
        List<RouteAction.Upstream> upstreams = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            String itemPath = node instanceof ScalarNode ? path : path + "[" + i + "]";
            Optional<RouteAction.Upstream> upstream = reader.parsed(items.get(i), itemPath, expected, UpstreamFormat::parse);
            if (upstream.isPresent() && upstreams.contains(upstream.get())) {
                problems.add(items.get(i), itemPath, "upstream " + upstream.get() + " is listed twice");
            }
            upstream.ifPresent(upstreams::add);
            ok &= upstream.isPresent();
        }
        return ok ? Optional.of(new RouteAction.Proxy(upstreams)) : Optional.empty();
    }

    /** {@code respond: { status: 200, body: "...", headers: {...} }}. */
    Optional<RouteAction> respond(Node node, String path) {
        Optional<YamlMapping> found = reader.mapping(node, path, RESPOND_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        int before = problems.count();
        int status = m.value("status").flatMap(n -> reader.integer(n, m.path("status"), 200, 599)).orElse(200);
        String body = m.value("body").flatMap(n -> reader.text(n, m.path("body"), "the response body as a string")).orElse("");
        List<Map.Entry<String, String>> headers = m.value("headers").map(n -> headers(n, m.path("headers"))).orElse(List.of());
        return problems.count() > before ? Optional.empty() : Optional.of(new RouteAction.Respond(status, body, headers));
    }

    /** {@code redirect: "https://x{uri}"} (308) or {@code redirect: { to: ..., status: 301 }}. */
    Optional<RouteAction> redirect(Node node, String path) {
        if (node instanceof ScalarNode) {
            return location(node, path).map(to -> new RouteAction.Redirect(to, 308));
        }
        if (!(node instanceof MappingNode)) {
            problems.add(node, path, "found " + NodeReader.describe(node) + ", expected a target URL or a mapping { to, status }");
            return Optional.empty();
        }
        Optional<YamlMapping> found = reader.mapping(node, path, REDIRECT_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<String> to = m.required("to", "the redirect target, e.g. https://example.com{uri}", problems)
                .flatMap(n -> location(n, m.path("to")));
        int status = 308;
        if (m.has("status")) {
            Node statusNode = m.value("status").orElseThrow();
            Optional<Integer> s = reader.integer(statusNode, m.path("status"), 100, 999);
            if (s.isPresent() && !REDIRECT_STATUSES.contains(s.get())) {
                problems.add(statusNode, m.path("status"), s.get() + " is not a redirect status (expected 301, 302, 303, 307 or 308)");
                return Optional.empty();
            }
            if (s.isEmpty()) {
                return Optional.empty();
            }
            status = s.get();
        }
        int finalStatus = status;
        return to.map(t -> new RouteAction.Redirect(t, finalStatus));
    }

    private Optional<String> location(Node node, String path) {
        Optional<String> text = reader.string(node, path, "a redirect target such as https://example.com{uri} or /path");
        if (text.isEmpty()) {
            return text;
        }
        String to = text.get();
        Matcher placeholders = PLACEHOLDER.matcher(to);
        while (placeholders.find()) {
            String p = placeholders.group();
            if (!PLACEHOLDERS.contains(p)) {
                problems.add(node, path, "unknown placeholder " + p + " (expected " + String.join(" or ", PLACEHOLDERS)
                        + Suggestion.hint(p, PLACEHOLDERS) + ")");
                return Optional.empty();
            }
        }
        String sample = to.replace("{uri}", "/p?q").replace("{host}", "h.example");
        String lower = sample.toLowerCase(Locale.ROOT);
        boolean absolute = lower.startsWith("https://") || lower.startsWith("http://");
        boolean valid;
        try {
            URI uri = new URI(sample);
            valid = absolute ? uri.getHost() != null : sample.startsWith("/") && !sample.startsWith("//");
        } catch (URISyntaxException e) {
            valid = false;
        }
        if (!valid) {
            problems.add(node, path, "'" + NodeReader.shown(to) + "' is not a redirect target (expected an http(s) URL"
                    + " or a path starting with /, e.g. https://example.com{uri})");
            return Optional.empty();
        }
        return text;
    }

    /** A mapping of names to values, or a list of single-entry mappings when a name repeats. */
    private List<Map.Entry<String, String>> headers(Node node, String path) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (node instanceof MappingNode) {
            reader.mapping(node, path, List.of()).ifPresent(m -> {
                for (String name : m.keys()) {
                    header(m, name, m.path(name)).ifPresent(headers::add);
                }
            });
            return headers;
        }
        List<Node> items = reader.list(node, path, "a mapping of header names to values, or a list of single-entry mappings")
                .orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + "[" + i + "]";
            Optional<YamlMapping> item = reader.mapping(items.get(i), itemPath, List.of());
            if (item.isPresent() && item.get().keys().size() != 1) {
                problems.add(items.get(i), itemPath, "found " + item.get().keys().size() + " entries, expected one (name: value)");
            } else if (item.isPresent()) {
                String name = item.get().keys().iterator().next();
                header(item.get(), name, itemPath + "." + name).ifPresent(headers::add);
            }
        }
        return headers;
    }

    private Optional<Map.Entry<String, String>> header(YamlMapping m, String name, String path) {
        Node valueNode = m.value(name).orElseThrow();
        if (!TOKEN.matcher(name).matches()) {
            problems.add(m.keyNode(name), path, "'" + NodeReader.shown(name) + "' is not a valid header name (RFC 9110 token characters only)");
            return Optional.empty();
        }
        if (FRAMING_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            problems.add(m.keyNode(name), path, name + " cannot be set here (Portico frames the response itself)");
            return Optional.empty();
        }
        Optional<String> value = reader.text(valueNode, path, "a header value");
        if (value.isPresent() && value.get().chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
            problems.add(valueNode, path, "a header value cannot contain control characters or line breaks");
            return Optional.empty();
        }
        return value.map(v -> Map.entry(name, v.strip()));
    }
}
