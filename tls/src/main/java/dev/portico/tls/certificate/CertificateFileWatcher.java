package dev.portico.tls.certificate;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a certificate given as files live: when a file changes, it is loaded again and handed to an
 * {@link Installer} (which builds the new context and swaps it into the store). A broken file is
 * reported with a WARN and the previous certificate keeps serving until the file is fixed.
 *
 * <p>Detection: a {@link WatchService} on each file's parent directory (so an editor's or
 * cert-manager's rename-replace, and Kubernetes' {@code ..data} symlink swap, are seen like an
 * in-place write), events debounced for {@link #DEBOUNCE}, plus a poll every {@code pollInterval} for
 * file systems that deliver no events. Either way a reload happens only when the content changed
 * ({@link FileFingerprint}).
 *
 * <p>One daemon thread per watcher does the file I/O, parsing and installing: control plane, never
 * an event loop. {@link #close()} stops it and waits for it.
 */
public final class CertificateFileWatcher implements Closeable {
    /** Quiet time after the last event before reloading, so a multi-step write is read once, whole. */
    public static final Duration DEBOUNCE = Duration.ofMillis(200);
    /** Default safety-net poll interval. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(CertificateFileWatcher.class);

    /** Takes a freshly loaded certificate live. Runs on the watcher's thread (control plane). */
    @FunctionalInterface
    public interface Installer {
        void install(CertificateKeyPair pair) throws Exception;
    }

    private final CertificateFileSource source;
    private final Installer installer;
    private final Duration pollInterval;
    private final WatchService watchService;
    private final Thread thread;
    private volatile FileFingerprint lastSeen;
    private volatile Optional<String> lastFailure = Optional.empty();
    private volatile int reloads;
    private volatile boolean closed;

    private CertificateFileWatcher(CertificateFileSource source, Installer installer, Duration pollInterval,
                                   FileFingerprint initial) throws IOException {
        this.source = source;
        this.installer = installer;
        this.pollInterval = pollInterval;
        this.lastSeen = initial;
        this.watchService = FileSystems.getDefault().newWatchService();
        try {
            Set<Path> directories = new LinkedHashSet<>();
            for (Path file : source.files()) {
                directories.add(file.getParent());
            }
            for (Path directory : directories) {
                directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.thread = new Thread(this::run, "portico-certificate-watch");
        thread.setDaemon(true);
    }

    /**
     * Loads the certificate, installs it, then watches its files. Control plane only.
     *
     * @throws CertificateLoadException when the files are broken at start (there is nothing to keep serving)
     * @throws IOException when the directories cannot be watched or the first install fails
     */
    public static CertificateFileWatcher start(CertificateFileSource source, Installer installer, Duration pollInterval)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(installer, "installer");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: > 0)");
        }
        FileFingerprint initial = FileFingerprint.of(source.files());
        CertificateKeyPair pair = source.load();
        try {
            installer.install(pair);
        } catch (Exception e) {
            throw new IOException(source.label() + ": cannot install (" + e.getMessage() + ")", e);
        }
        CertificateFileWatcher watcher = new CertificateFileWatcher(source, installer, pollInterval, initial);
        watcher.thread.start();
        return watcher;
    }

    /** Why the last reload failed, empty once a reload succeeds. Any thread. */
    public Optional<String> lastFailure() {
        return lastFailure;
    }

    /** How many reloads succeeded since start (the initial load not counted). Any thread. */
    public int reloads() {
        return reloads;
    }

    /** Stops watching and waits for the watcher thread. The installed certificate stays installed. */
    @Override
    public void close() throws IOException {
        closed = true;
        watchService.close();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watchService.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    drain(key);
                    // Debounce: wait until the directory has been quiet for a moment.
                    for (WatchKey more = watchService.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS); more != null;
                         more = watchService.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) {
                        drain(more);
                    }
                }
                reloadIfChanged();
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close() was called: stop quietly.
        } catch (RuntimeException | Error e) {
            LOG.error("tls.certificate.watch_stopped source={} reason=\"{}\" action=restart_to_resume_reloading",
                    source.label(), e.toString(), e);
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    private void reloadIfChanged() {
        FileFingerprint now = FileFingerprint.of(source.files(), lastSeen);
        if (now.sameContentAs(lastSeen)) {
            lastSeen = now; // e.g. touched: remember the new mtime, nothing to reload
            return;
        }
        lastSeen = now;
        try {
            CertificateKeyPair pair = source.load();
            installer.install(pair);
            reloads++;
            lastFailure = Optional.empty();
            LOG.info("tls.certificate.reloaded source={} subject=\"{}\" not_after={}", source.label(),
                    pair.leaf().getSubjectX500Principal().getName(), pair.leaf().getNotAfter().toInstant());
        } catch (Exception e) {
            // The same broken content is not retried (lastSeen holds it); the next change is.
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            lastFailure = Optional.of(reason);
            LOG.warn("tls.certificate.reload_failed source={} reason=\"{}\" action=keeping_previous_certificate",
                    source.label(), reason);
        }
    }
}
