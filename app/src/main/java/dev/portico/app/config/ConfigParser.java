package dev.portico.app.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code routes.yaml} into a validated {@link PorticoConfig}, or fails with a
 * {@link ConfigException} listing every problem at once, each as
 * {@code file:line:column: path: what was found (what was expected; did you mean ...?)}, sorted by
 * line. Stateless; call it on the control plane only (it reads files), never on an event loop.
 *
 * <h2>The file</h2>
 * Only {@code routes} is required. Every other key shows its default.
 * <pre>{@code
 * listen:
 *   https: ":443"              # host:port, "[::1]:8443", localhost:8443, or :port for every interface
 *   http: ":80"                # ACME HTTP-01 challenges and redirects to https; off to disable
 *   admin: 127.0.0.1:9090      # health, readiness, metrics; off to disable
 * storage: ./data              # certificates, keys, the internal CA; created if missing
 * tls:
 *   provider: auto             # auto (OpenSSL if it loads, else JDK) | openssl | jdk
 *   default: localhost         # a routed host whose certificate answers unknown or absent SNI;
 *                              # absent: such handshakes fail with an unrecognized_name alert
 * acme:                        # optional; without it every host gets an internal-CA certificate
 *   email: ops@example.com     # required
 *   agree_to_terms: true       # required, must be true: you accept the CA's terms of service
 *   directory: letsencrypt     # letsencrypt | letsencrypt-staging | acme://... | https://... (default letsencrypt)
 *   ca_bundle: ./pebble-ca.pem # optional: PEM CAs trusted for the directory's own TLS (Pebble)
 *   eab: { key_id: kid, hmac: base64url-key }   # optional external account binding
 *   key_type: ecdsa-p256       # ecdsa-p256 | rsa-2048
 *   profile: shortlived        # optional ACME profile
 * trusted_proxies: []          # addresses or CIDR blocks whose X-Forwarded-For / Forwarded is believed
 * limits:
 *   max_request_line: 8KiB     # longer: 414
 *   max_header_size: 32KiB     # larger: 431
 *   header_timeout: 10s        # the whole request head must arrive within this: else 408
 *   keepalive_timeout: 75s     # idle client connection between requests
 *   shutdown_grace: 30s        # SIGTERM: in-flight requests and tunnels get this long
 * routes:                      # required, at least one
 *   - host: app.example.com    # exact, *.example.com (one label), or an IP; Unicode becomes A-labels
 *     path: /                  # prefix, starts with /; longest prefix wins
 *     proxy: http://127.0.0.1:3000   # or a list (round-robin); http:// or h2c://, port defaults to 80,
 *                                    # no path, query or user info
 *     tls: acme                # acme | internal | { cert: chain.pem, key: key.pem }
 *                              #   | { pkcs12: site.p12, password: secret }
 *     max_request_body: 100MiB # proxy only; larger: 413
 *     timeouts: { connect: 5s, response_header: 60s, idle: 5m, upgrade_idle: 1h }   # proxy only
 *     websocket: true          # proxy only; forward Upgrade requests
 *     http: redirect           # redirect (308 to https) | serve (also answer on port 80)
 *     hsts: off                # off | a max-age such as 365d
 *   - host: localhost
 *     respond: { status: 200, body: "Portico is running\n", headers: { Content-Type: text/plain } }
 *                              # status 200..599 (default 200), body (default empty); headers a
 *                              # mapping, or a list of single-entry mappings when a name repeats
 *   - host: old.example.com
 *     redirect: "https://new.example.com{uri}"   # 308; or { to: ..., status: 301|302|303|307|308 }
 *                                                # {uri} = path and query, {host} = request host
 * }</pre>
 * Each route has exactly one of {@code proxy}, {@code respond}, {@code redirect}.
 *
 * <h2>Values</h2>
 * <ul>
 *   <li>Sizes: a whole number and a unit, case-insensitive: {@code KiB MiB GiB} and bare
 *       {@code K M G} are powers of 1024, {@code KB MB GB} powers of 1000, none or {@code B} is bytes.
 *   <li>Durations: a whole number and {@code ms s m h d}, lower case ({@code 500ms}, {@code 2m},
 *       {@code 7d}); a bare number is refused. Sizes and durations must be greater than zero.
 *   <li>Booleans: {@code true} or {@code false} only (not yes/no/on). Ports: 1..65535.
 *   <li>Files: relative paths resolve against the config file's directory; cert, key, pkcs12 and
 *       ca_bundle files must exist. Secrets ({@code eab.hmac}, {@code password}) are never shown.
 *   <li>YAML: keys are strings and unique (a repeated key is an error, not last-wins); aliases,
 *       merge keys and custom tags are refused; at most one document.
 * </ul>
 *
 * <h2>Certificates</h2>
 * Every route of one host shares one certificate, so they must agree on {@code tls}; routes that
 * leave it out take the one another route of the host names. A host with no {@code tls} gets
 * {@code acme} when the file has an {@code acme} section and the host is a public name, else
 * {@code internal}. Not public: {@code localhost} and {@code *.localhost}, IP addresses,
 * single-label names, and names under {@code .local .internal .test .example .invalid .home.arpa
 * .lan}. {@code tls: acme} on such a name, or on a wildcard (HTTP-01 cannot issue wildcards), is an
 * error, and so is a public wildcard without an explicit {@code tls} when {@code acme} is present.
 * ACME (and {@code http: serve}) need the http listener.
 *
 * <h2>Whole-document checks</h2>
 * Two routes with the same host and path; two listeners on one port (a wildcard address overlaps
 * every address); {@code tls.default} naming no routed host; an empty {@code routes} list.
 */
public final class ConfigParser {

    /** Parses the file at {@code file}; relative paths in it resolve against its directory. */
    public PorticoConfig parse(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(absolute))).toString();
        } catch (CharacterCodingException e) {
            throw single(file.toString(), "the file is not valid UTF-8");
        } catch (IOException e) {
            throw single(file.toString(), "cannot read " + absolute + ": " + e);
        }
        // Problems name the file as the operator gave it, like HAProxy's "parsing [/etc/haproxy/haproxy.cfg:12]".
        return parse(text, file.toString(), absolute.getParent());
    }

    /**
     * Parses {@code yamlText}; {@code fileName} names it in problems, {@code baseDir} is where its
     * relative paths resolve.
     */
    public PorticoConfig parse(String yamlText, String fileName, Path baseDir) throws ConfigException {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(baseDir, "baseDir");
        Problems problems = new Problems(fileName);
        Optional<Node> root = YamlDocument.compose(yamlText, problems);
        problems.throwIfAny();
        if (root.isEmpty()) {
            throw single(fileName, "the file is empty (expected a mapping with at least 'routes')");
        }
        Optional<PorticoConfig> config = new DocumentReader(problems, baseDir.toAbsolutePath().normalize()).read(root.get());
        problems.throwIfAny();
        return config.orElseThrow(() -> new IllegalStateException("no config and no problem reported"));
    }

    private static ConfigException single(String fileName, String message) {
        return new ConfigException(List.of(new ConfigProblem(new Origin(fileName, 1, 1), "", message)));
    }
}
