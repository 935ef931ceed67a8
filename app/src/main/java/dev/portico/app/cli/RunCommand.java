package dev.portico.app.cli;

import dev.portico.app.config.ConfigException;
import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.PorticoConfig;
import dev.portico.app.server.PorticoProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code portico run}: parse the config, then hand over to {@link PorticoProcess}. */
final class RunCommand {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    private RunCommand() {}

    static int run(Path configFile, PrintStream err) {
        PorticoConfig config;
        try {
            config = new ConfigParser().parse(configFile);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.println("portico: not started: " + configFile + " has errors");
            return 1;
        }
        try {
            PorticoProcess.start(configFile, config);
        } catch (IOException | RuntimeException e) {
            LOG.error("portico failed to start error={}", e.getMessage(), e);
            return 1;
        }
        return PorticoCli.KEEP_RUNNING;
    }
}
