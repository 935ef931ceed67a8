package dev.portico.app.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM/SIGINT stop gracefully and exit 0 (what systemd and Kubernetes expect of a clean stop;
 * the JVM's own handling would exit 143). SIGHUP reloads the config. {@code sun.misc.Signal} is the
 * JDK's supported way to do this (module jdk.unsupported); handlers run on a JVM signal thread.
 */
final class SignalHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(SignalHandlers.class);
    private static boolean stopping;

    private SignalHandlers() {}

    /** Installs the handlers; {@code stop} must return once the process may exit. */
    static void install(Runnable stop, Runnable reload) {
        Signal.handle(new Signal("TERM"), signal -> stopAndExit(stop, "SIGTERM"));
        Signal.handle(new Signal("INT"), signal -> stopAndExit(stop, "SIGINT"));
        SignalHandler previous = Signal.handle(new Signal("HUP"), signal -> {
            LOG.info("config reload requested signal=SIGHUP");
            reload.run();
        });
        if (previous == SignalHandler.SIG_IGN) {
            // Started with SIGHUP ignored (nohup, some supervisors): the JVM keeps it ignored and
            // installs nothing, so only the file watch reloads.
            LOG.warn("SIGHUP is ignored by this process (started under nohup?): the config reloads on file change only");
        }
    }

    private static void stopAndExit(Runnable stop, String signal) {
        // A second signal while draining must not start a second shutdown.
        Thread t = new Thread(() -> {
            LOG.info("portico stopping signal={}", signal);
            stop.run();
            System.exit(0);
        }, "portico-shutdown");
        // Not a daemon, unlike the JVM's signal thread it would inherit that from: once the event loops
        // have stopped, a daemon would let the JVM exit before the last log line and System.exit.
        t.setDaemon(false);
        synchronized (SignalHandlers.class) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        t.start();
    }
}
