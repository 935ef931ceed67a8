package dev.portico.app.certificates;

import dev.portico.app.config.CertificateSource;
import dev.portico.tls.certificate.CertificateFileSource;
import dev.portico.tls.certificate.CertificateFileWatcher;
import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.sni.HostPattern;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link CertificateFileWatcher} per host whose certificate comes from files: loaded at once,
 * reloaded when the files change. Control plane only; serialized by the owner.
 */
final class CertificateFileWatches implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateFileWatches.class);

    /** Takes a freshly loaded pair live for a host. */
    interface Sink {
        void loaded(HostPattern host, CertificateKeyPair pair, String label) throws Exception;
    }

    private final Sink sink;
    private final Map<HostPattern, CertificateFileWatcher> watchers = new HashMap<>();

    CertificateFileWatches(Sink sink) {
        this.sink = sink;
    }

    /** Loads {@code source} for {@code host} and keeps watching it; a broken file at start is logged. */
    void watch(HostPattern host, CertificateSource source) {
        unwatch(host);
        CertificateFileSource files = fileSource(source);
        try {
            watchers.put(host, CertificateFileWatcher.start(files,
                    pair -> sink.loaded(host, pair, files.label()), CertificateFileWatcher.DEFAULT_POLL_INTERVAL));
        } catch (IOException | RuntimeException e) {
            LOG.error("certificate unavailable host={} source={} error={}", host, files.label(), e.getMessage());
        }
    }

    void unwatch(HostPattern host) {
        CertificateFileWatcher watcher = watchers.remove(host);
        if (watcher != null) {
            closeQuietly(host, watcher);
        }
    }

    @Override
    public void close() {
        watchers.forEach(CertificateFileWatches::closeQuietly);
        watchers.clear();
    }

    private static void closeQuietly(HostPattern host, CertificateFileWatcher watcher) {
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.warn("certificate watch close failed host={} error={}", host, e.toString());
        }
    }

    private static CertificateFileSource fileSource(CertificateSource source) {
        if (source instanceof CertificateSource.PemFiles pem) {
            return new CertificateFileSource.PemFiles(pem.certificateChain(), pem.privateKey());
        }
        if (source instanceof CertificateSource.Pkcs12File p12) {
            return new CertificateFileSource.Pkcs12File(p12.file(), p12.password().map(String::toCharArray));
        }
        throw new IllegalArgumentException("source: " + source + " (expected PEM files or a PKCS#12 keystore)");
    }
}
