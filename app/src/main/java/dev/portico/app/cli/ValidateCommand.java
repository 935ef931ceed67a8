package dev.portico.app.cli;

import dev.portico.app.config.ConfigException;
import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.PorticoConfig;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code portico validate}: parse and check a config file without serving anything. */
final class ValidateCommand {
    private ValidateCommand() {}

    static int validate(Path file, PrintStream out, PrintStream err) {
        try {
            PorticoConfig config = new ConfigParser().parse(file);
            out.println(file + ": OK (" + config.routes().size() + " routes)");
            return 0;
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
