package dev.portico.app;

import dev.portico.app.cli.PorticoCli;
import io.netty.util.ResourceLeakDetector;

/** Entry point of the {@code portico} command; see {@link PorticoCli} for the commands. */
public final class Main {
    /** Netty's switch for its small-heap allocator mode; read once, when the allocator class loads. */
    static final String NETTY_LOW_MEMORY = "io.netty.allocator.lowMemory";

    private Main() {}

    public static void main(String[] args) {
        useFullBufferPooling();
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

    /**
     * Netty treats a heap of 512 MiB or less as a small host and then gives up its per-event-loop buffer
     * pools and never pools a buffer over 16 KiB (TLS records, large reads), allocating and zeroing a
     * fresh direct buffer for each. A proxy's heap is small by design but buffers are its hot path: in
     * the bench that mode cost 8-12 % of the CPU per request. Pool fully unless the operator sets the
     * property. Must run before the first Netty buffer is allocated.
     */
    static void useFullBufferPooling() {
        if (System.getProperty(NETTY_LOW_MEMORY) == null) {
            System.setProperty(NETTY_LOW_MEMORY, "false");
        }
    }
}
