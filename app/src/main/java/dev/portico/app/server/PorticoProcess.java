package dev.portico.app.server;

import dev.portico.app.config.PorticoConfig;
import dev.portico.app.observe.AccessLogTarget;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code portico run} as a long-lived process: starts {@link Portico}, reloads the config on change
 * or SIGHUP, tells systemd it is ready, and on SIGTERM turns unready, drains and exits 0.
 */
public final class PorticoProcess {
    private static final Logger LOG = LoggerFactory.getLogger(PorticoProcess.class);

    private PorticoProcess() {}

    /** Starts serving {@code config} read from {@code file}; returns once every listener is bound. */
    public static void start(Path file, PorticoConfig config) throws IOException {
        AccessLogTarget.configure(System.getenv("PORTICO_ACCESS_LOG"));
        Portico portico = Portico.start(config, Clock.systemUTC());
        ConfigReloader reloader;
        try {
            reloader = ConfigReloader.start(file, portico::reload, portico.metrics()::reload);
        } catch (IOException e) {
            portico.close();
            throw e;
        }
        SignalHandlers.install(() -> {
            reloader.close();
            portico.close();
        }, () -> reloader.reloadNow("SIGHUP"));
        SystemdNotify.ready();
        LOG.info("portico ready config={}", file.toAbsolutePath());
    }
}
