package dev.portico.app;

import dev.portico.app.cli.PorticoCli;
import io.netty.util.ResourceLeakDetector;

/** Entry point of the {@code portico} command; see {@link PorticoCli} for the commands. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Netty's default leak sampling records a stack trace for about 1% of buffers: around 2% of the
        // CPU of a proxied request in the bench. Off in production unless asked for (the tests run paranoid).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        int status = PorticoCli.execute(args, System.out, System.err);
        if (status != PorticoCli.KEEP_RUNNING) {
            System.exit(status);
        }
    }
}
