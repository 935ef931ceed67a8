package dev.portico.app;

import dev.portico.app.cli.PorticoCli;

/** Entry point of the {@code portico} command; see {@link PorticoCli} for the commands. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = PorticoCli.execute(args, System.out, System.err);
        if (status != PorticoCli.KEEP_RUNNING) {
            System.exit(status);
        }
    }
}
