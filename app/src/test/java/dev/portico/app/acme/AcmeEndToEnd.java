package dev.portico.app.acme;

import dev.portico.acme.PebbleExtension;
import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.Listen;
import dev.portico.app.config.PorticoConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import dev.portico.tls.testing.TlsTestClient;

/** What the app-level ACME tests share: a config pointing at Pebble, TLS probes, chain checks. */
final class AcmeEndToEnd {
    private AcmeEndToEnd() {}

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** YAML for {@code hosts}, each answering a fixed body, with certificates from {@code pebble}. */
    static String yaml(PebbleExtension pebble, List<String> hosts) {
        StringBuilder routes = new StringBuilder();
        for (String host : hosts) {
            routes.append("  - host: ").append(host).append('\n')
                    .append("    respond: { status: 200, body: \"hello from ").append(host).append("\" }\n");
        }
        return """
                storage: ./data
                acme:
                  email: ops@portico.test
                  agree_to_terms: true
                  directory: %s
                  ca_bundle: %s
                routes:
                %s""".formatted(pebble.directory(), pebble.caBundle(), routes);
    }

    /** The parsed config with listeners on loopback: https and admin on free ports, http on {@code httpPort}. */
    static PorticoConfig config(PebbleExtension pebble, Path dir, int httpPort, List<String> hosts) throws Exception {
        PorticoConfig parsed = new ConfigParser().parse(yaml(pebble, hosts), "routes.yaml", dir);
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        Listen listen = new Listen(any, Optional.of(new InetSocketAddress("127.0.0.1", httpPort)), Optional.of(any));
        return new PorticoConfig(listen, parsed.storage(), parsed.tls(), parsed.acme(), parsed.trustedProxies(),
                parsed.limits(), parsed.routes());
    }

    /** The chain served for {@code sni}, or empty when the handshake fails (no certificate yet). */
    static Optional<List<X509Certificate>> servedChain(int httpsPort, String sni) {
        try (SSLSocket socket = TlsTestClient.connect(TlsTestClient.trustAllContext(), httpsPort, sni)) {
            return Optional.of(Arrays.stream(socket.getSession().getPeerCertificates())
                    .map(X509Certificate.class::cast).toList());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True when {@code chain} verifies (PKIX, no revocation) against {@code root}. */
    static boolean verifies(List<X509Certificate> chain, X509Certificate root) {
        try {
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
