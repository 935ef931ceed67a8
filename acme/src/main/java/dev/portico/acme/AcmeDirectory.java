package dev.portico.acme;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.connector.Connection;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.AcmeProvider;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.provider.pebble.PebbleAcmeProvider;
import org.shredzone.acme4j.toolbox.JSON;

/**
 * Opens acme4j sessions to the configured directory: the configured request timeout applied through
 * acme4j's {@link NetworkSettings}, and, with a CA bundle, a TLS client that trusts that bundle
 * instead of the JDK's CAs. Also names the directory for storage paths.
 */
final class AcmeDirectory {

    private AcmeDirectory() {}

    /** acme4j 4 creates keys and CSRs through the "BC" provider; registers it once per JVM. */
    static synchronized void registerBouncyCastle() {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    /**
     * A file-system-safe id of a directory: {@code acme://letsencrypt.org/staging} →
     * {@code letsencrypt.org-staging}, {@code acme://pebble/localhost:14000} → {@code pebble-localhost-14000}.
     */
    static String id(String directory) {
        String s = directory.strip().toLowerCase(Locale.ROOT).replaceFirst("^[a-z][a-z0-9+.-]*://", "");
        s = s.replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "default" : s;
    }

    /**
     * A new session (no network I/O yet). Throws {@link IllegalArgumentException} when acme4j knows
     * no provider for the directory or the CA bundle cannot be read.
     */
    static Session open(AcmeOptions options) {
        registerBouncyCastle();
        URI uri = URI.create(options.directory().strip());
        Session session;
        if (options.caBundle().isEmpty()) {
            session = new Session(uri);
        } else {
            TrustManagerFactory trust = trustManagers(options.caBundle().get());
            AcmeProvider provider = "pebble".equals(uri.getHost()) && "acme".equals(uri.getScheme())
                    ? new BundlePebbleProvider(trust)
                    : new BundleTrustingProvider(find(uri), trust);
            session = new Session(uri, provider);
        }
        // Before the session builds its shared HttpClient: connect timeout and per-request timeout.
        session.networkSettings().setTimeout(options.requestTimeout());
        return session;
    }

    private static AcmeProvider find(URI uri) {
        GenericAcmeProvider generic = new GenericAcmeProvider();
        if (generic.accepts(uri)) {
            return generic;
        }
        return StreamSupport.stream(ServiceLoader.load(AcmeProvider.class).spliterator(), false)
                .filter(p -> p.accepts(uri)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("directory: no ACME provider for " + uri
                        + " (expected acme://letsencrypt.org, acme://letsencrypt.org/staging, acme://pebble/HOST:PORT or an https URL)"));
    }

    static TrustManagerFactory trustManagers(Path bundle) {
        try (InputStream in = Files.newInputStream(bundle)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("caBundle: " + bundle + " holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("caBundle: cannot read " + bundle + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext sslContext(TrustManagerFactory trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS context for the ACME directory: " + e.getMessage(), e);
        }
    }

    /** Pebble ({@code acme://pebble/host:port}) trusting the configured bundle instead of the bundled minica root. */
    private static final class BundlePebbleProvider extends PebbleAcmeProvider {
        private final TrustManagerFactory trust;

        BundlePebbleProvider(TrustManagerFactory trust) {
            this.trust = trust;
        }

        @Override
        protected TrustManagerFactory createPebbleTrustManagerFactory() {
            return trust;
        }
    }

    /**
     * Any other directory (https URL or an {@code acme://} alias) with the provider acme4j would pick,
     * but an HTTP client that trusts the configured bundle.
     */
    private static final class BundleTrustingProvider implements AcmeProvider {
        private final AcmeProvider delegate;
        private final TrustManagerFactory trust;

        BundleTrustingProvider(AcmeProvider delegate, TrustManagerFactory trust) {
            this.delegate = delegate;
            this.trust = trust;
        }

        @Override
        public boolean accepts(URI serverUri) {
            return delegate.accepts(serverUri);
        }

        @Override
        public URL resolve(URI serverUri) {
            return delegate.resolve(serverUri);
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings settings) {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(settings.getTimeout())
                    .proxy(settings.getProxySelector())
                    .sslContext(sslContext(trust));
            if (settings.getAuthenticator() != null) {
                builder.authenticator(settings.getAuthenticator());
            }
            return builder.build();
        }

        @Override
        public Connection connect(URI serverUri, NetworkSettings settings, HttpClient httpClient) {
            return delegate.connect(serverUri, settings, httpClient);
        }

        @Override
        public JSON directory(Session session, URI serverUri) throws AcmeException {
            return delegate.directory(session, serverUri);
        }

        @Override
        public Challenge createChallenge(Login login, JSON data) {
            return delegate.createChallenge(login, data);
        }

        @Override
        public java.util.Optional<String> getProposedEabMacAlgorithm() {
            return delegate.getProposedEabMacAlgorithm();
        }
    }
}
