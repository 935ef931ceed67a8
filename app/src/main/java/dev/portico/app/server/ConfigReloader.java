package dev.portico.app.server;

import dev.portico.app.config.ConfigException;
import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.PorticoConfig;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file when it changes on disk (a {@link WatchService} on its directory, so an
 * editor's rename-replace and Kubernetes' ConfigMap symlink swap are seen) or when asked (SIGHUP).
 * The new file is parsed and validated as a whole; only a valid one reaches {@code apply}. An
 * invalid one is logged with every problem and the running config stays.
 *
 * <p>One daemon thread: control plane. {@link #reloadNow} may be called from any thread.
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
    /** Quiet time after the last event so that a multi-step write is read once, whole. */
    private static final long DEBOUNCE_MILLIS = 250;
    /** The longest a reload waits for that quiet, so that a file written to without pause is still read. */
    private static final long MAX_DEBOUNCE_MILLIS = 2_000;

    private final Path file;
    private final ConfigParser parser = new ConfigParser();
    private final Consumer<PorticoConfig> apply;
    private final Consumer<Boolean> outcome;
    private final WatchService watchService;
    private final Thread thread;
    private byte[] lastDigest;

    private ConfigReloader(Path file, Consumer<PorticoConfig> apply, Consumer<Boolean> outcome) throws IOException {
        this.file = file.toAbsolutePath();
        this.apply = Objects.requireNonNull(apply, "apply");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.lastDigest = digest();
        this.watchService = FileSystems.getDefault().newWatchService();
        this.file.getParent().register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::watch, "portico-config-watch");
        thread.setDaemon(true);
    }

    /** Watches {@code file}; {@code apply} receives every new valid config (on the watcher thread). */
    public static ConfigReloader start(Path file, Consumer<PorticoConfig> apply) throws IOException {
        return start(file, apply, applied -> { });
    }

    /** As {@link #start(Path, Consumer)}; {@code outcome} hears whether each reload was applied (metrics). */
    public static ConfigReloader start(Path file, Consumer<PorticoConfig> apply, Consumer<Boolean> outcome)
            throws IOException {
        ConfigReloader reloader = new ConfigReloader(file, apply, outcome);
        reloader.thread.start();
        return reloader;
    }

    /**
     * Parses the file now and applies it when valid, even if unchanged (SIGHUP: the operator asked).
     * Returns whether a new config was applied.
     */
    public synchronized boolean reloadNow(String reason) {
        byte[] digest = digest();
        PorticoConfig next;
        try {
            next = parser.parse(file);
        } catch (ConfigException e) {
            LOG.error("config rejected file={} reason={} problems={} (the running config stays)\n{}", file, reason,
                    e.problems().size(), e.getMessage());
            lastDigest = digest;
            outcome.accept(false);
            return false;
        }
        try {
            apply.accept(next);
        } catch (RuntimeException e) {
            LOG.error("config reload failed file={} reason={} error={} (the running config stays)", file, reason, e.toString(), e);
            outcome.accept(false);
            return false;
        }
        lastDigest = digest;
        outcome.accept(true);
        LOG.info("config reloaded file={} reason={} routes={}", file, reason, next.routes().size());
        return true;
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.debug("config watch close failed error={}", e.toString());
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        try {
            while (true) {
                if (!concernsFile(watchService.take())) {
                    continue;
                }
                // Debounce: wait for DEBOUNCE_MILLIS without an event for the file, so that a multi-step
                // write is read once, whole; but never longer than MAX_DEBOUNCE_MILLIS in all.
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DEBOUNCE_MILLIS);
                long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEBOUNCE_MILLIS);
                long now;
                while ((now = System.nanoTime()) - quietUntil < 0 && now - giveUp < 0) {
                    WatchKey key = watchService.poll(quietUntil - now, TimeUnit.NANOSECONDS);
                    if (key != null && concernsFile(key)) {
                        quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEBOUNCE_MILLIS);
                    }
                }
                synchronized (this) {
                    if (!Arrays.equals(digest(), lastDigest)) {
                        reloadNow("file changed");
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: stop watching
        }
    }

    /**
     * Drains {@code key} and says whether any of its events may have changed the file: an event for its
     * own name, for a name starting with {@code ..} (the symlink swap of a Kubernetes ConfigMap), or an
     * overflow. Other files in the directory (a log written next to the config, say) are not the
     * file's business, and counting them would keep the debounce from ever seeing quiet.
     */
    private boolean concernsFile(WatchKey key) {
        boolean concerns = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            Object context = event.context();
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(context instanceof Path name)
                    || name.equals(file.getFileName()) || name.toString().startsWith("..")) {
                concerns = true;
            }
        }
        key.reset();
        return concerns;
    }

    /** SHA-256 of the file's bytes, or empty when it cannot be read (mid-replace). */
    private byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return new byte[0];
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
