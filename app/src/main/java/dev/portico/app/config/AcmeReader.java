package dev.portico.app.config;

import dev.portico.acme.AcmeOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code acme} section. Single-threaded, control plane. */
final class AcmeReader {
    static final List<String> KEYS = List.of("email", "directory", "agree_to_terms", "ca_bundle", "eab", "key_type", "profile");
    static final List<String> EAB_KEYS = List.of("key_id", "hmac");
    /** The two names everyone means; acme4j resolves these {@code acme://} URIs itself. */
    static final Map<String, URI> DIRECTORIES = new TreeMap<>(Map.of(
            "letsencrypt", URI.create("acme://letsencrypt.org"),
            "letsencrypt-staging", URI.create("acme://letsencrypt.org/staging")));
    private static final Map<String, AcmeOptions.KeyType> KEY_TYPES = new TreeMap<>(Map.of(
            "ecdsa-p256", AcmeOptions.KeyType.ECDSA_P256, "rsa-2048", AcmeOptions.KeyType.RSA_2048));
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+={0,2}");
    private static final Pattern PROFILE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String DIRECTORY_EXPECTED =
            "expected letsencrypt, letsencrypt-staging, an acme:// URI or an https:// directory URL";

    private final NodeReader reader;
    private final Problems problems;
    private final Path baseDir;

    AcmeReader(NodeReader reader, Path baseDir) {
        this.reader = reader;
        this.problems = reader.problems();
        this.baseDir = baseDir;
    }

    /** The settings, or empty when the section has problems (all of them reported). */
    Optional<AcmeSettings> read(Node node) {
        Optional<YamlMapping> found = reader.mapping(node, "acme", KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        int before = problems.count();
        Optional<String> email = m.required("email", "the CA sends expiry and policy notices there", problems)
                .flatMap(n -> email(n, m.path("email")));
        URI directory = m.value("directory").flatMap(n -> directory(n, m.path("directory")))
                .orElse(DIRECTORIES.get("letsencrypt"));
        agreement(m);
        Optional<Path> caBundle = m.value("ca_bundle").flatMap(n -> new ConfigFiles(reader, baseDir).existing(n, m.path("ca_bundle")));
        Optional<AcmeOptions.ExternalAccountBinding> eab = m.value("eab").flatMap(n -> eab(n, m.path("eab")));
        AcmeOptions.KeyType keyType = m.value("key_type").flatMap(n -> reader.choice(n, m.path("key_type"), KEY_TYPES))
                .orElse(AcmeOptions.KeyType.ECDSA_P256);
        Optional<String> profile = m.value("profile").flatMap(n -> profile(n, m.path("profile")));
        if (problems.count() > before || email.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new AcmeSettings(email.get(), directory, true, caBundle, eab, keyType, profile));
    }

    private Optional<String> email(Node node, String path) {
        Optional<String> text = reader.string(node, path, "an email address");
        if (text.isPresent() && !EMAIL.matcher(text.get().strip()).matches()) {
            problems.add(node, path, "'" + NodeReader.shown(text.get()) + "' is not an email address (expected e.g. ops@example.com)");
            return Optional.empty();
        }
        return text.map(String::strip);
    }

    private Optional<URI> directory(Node node, String path) {
        Optional<String> text = reader.string(node, path, "an ACME directory (" + DIRECTORY_EXPECTED + ")");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String t = text.get().strip();
        URI named = DIRECTORIES.get(t);
        if (named != null) {
            return Optional.of(named);
        }
        try {
            URI uri = new URI(t);
            if ("acme".equals(uri.getScheme()) || ("https".equals(uri.getScheme()) && uri.getHost() != null)) {
                return Optional.of(uri);
            }
            if ("http".equals(uri.getScheme())) {
                problems.add(node, path, "'" + NodeReader.shown(t) + "': an ACME directory must be https (RFC 8555 §6.1)");
                return Optional.empty();
            }
        } catch (URISyntaxException e) {
            // reported below, with the same message as any other unknown value
        }
        problems.add(node, path, "'" + NodeReader.shown(t) + "' is not an ACME directory (" + DIRECTORY_EXPECTED
                + Suggestion.hint(t, DIRECTORIES.keySet()) + ")");
        return Optional.empty();
    }

    private void agreement(YamlMapping m) {
        String why = "true accepts the CA's terms of service, and the CA registers no account without that";
        Optional<Node> node = m.required("agree_to_terms", why, problems);
        if (node.isPresent()) {
            Optional<Boolean> agreed = reader.bool(node.get(), m.path("agree_to_terms"));
            if (agreed.isPresent() && !agreed.get()) {
                problems.add(node.get(), m.path("agree_to_terms"), "found false, expected true (" + why + ")");
            }
        }
    }

    private Optional<AcmeOptions.ExternalAccountBinding> eab(Node node, String path) {
        Optional<YamlMapping> found = reader.mapping(node, path, EAB_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<String> keyId = m.required("key_id", "the key identifier your CA gave you", problems)
                .flatMap(n -> reader.text(n, m.path("key_id"), "the key identifier your CA gave you"));
        Optional<Node> hmacNode = m.required("hmac", "the base64url HMAC key your CA gave you", problems);
        Optional<String> hmac = hmacNode.flatMap(n -> reader.secret(n, m.path("hmac")));
        if (hmac.isPresent() && !BASE64URL.matcher(hmac.get().strip()).matches()) {
            // The value is a secret: say what is wrong with it, never what it is.
            problems.add(hmacNode.orElseThrow(), m.path("hmac"), "is not base64url (value not shown; expected only"
                    + " the characters A-Z a-z 0-9 - _, as your CA issued it)");
            return Optional.empty();
        }
        if (keyId.isEmpty() || hmac.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new AcmeOptions.ExternalAccountBinding(keyId.get(), hmac.get().strip()));
    }

    private Optional<String> profile(Node node, String path) {
        Optional<String> text = reader.string(node, path, "an ACME profile name such as shortlived");
        if (text.isPresent() && !PROFILE.matcher(text.get()).matches()) {
            problems.add(node, path, "'" + NodeReader.shown(text.get()) + "' is not a profile name (expected letters,"
                    + " digits, '.', '_' or '-', e.g. shortlived or tlsserver)");
            return Optional.empty();
        }
        return text;
    }
}
