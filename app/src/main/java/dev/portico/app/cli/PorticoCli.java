package dev.portico.app.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line: {@code portico run|validate|certs [--config FILE]}. Built with picocli's
 * programmatic model rather than annotations, so the wiring is plain code a reader can follow.
 */
public final class PorticoCli {
    /** Returned by {@code run}: the server is up and owns the process; do not exit. */
    public static final int KEEP_RUNNING = -1;

    static final Path DEFAULT_CONFIG = Path.of("routes.yaml");

    private PorticoCli() {}

    /** Parses {@code args} and runs the chosen command; returns the process exit status. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(root());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.addSubcommand("run", new CommandLine(command("run",
                "Serve HTTPS with the routes in the config file, obtaining and renewing certificates.")));
        cli.addSubcommand("validate", new CommandLine(command("validate",
                "Check a config file; print every problem as file:line:column and exit 1 if there is any.")));
        cli.addSubcommand("certs", new CommandLine(command("certs",
                "List the certificates in storage: names, issuer, not-after, next renewal, last error.")));
        try {
            ParseResult parsed = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
                return 0;
            }
            if (!parsed.hasSubcommand()) {
                cli.usage(out);
                return 2;
            }
            ParseResult sub = parsed.subcommand();
            Path config = sub.matchedOptionValue("--config", DEFAULT_CONFIG);
            return switch (sub.commandSpec().name()) {
                case "run" -> RunCommand.run(config, err);
                case "validate" -> ValidateCommand.validate(config, out, err);
                case "certs" -> CertsCommand.list(config, out, err);
                default -> throw new IllegalStateException("unhandled command " + sub.commandSpec().name());
            };
        } catch (CommandLine.ParameterException e) {
            err.println("portico: " + e.getMessage());
            e.getCommandLine().usage(err);
            return 2;
        }
    }

    private static CommandSpec root() {
        CommandSpec spec = CommandSpec.create().name("portico").mixinStandardHelpOptions(true)
                .version("portico " + version());
        spec.usageMessage().description("TLS-terminating reverse proxy with automatic HTTPS.");
        return spec;
    }

    private static CommandSpec command(String name, String description) {
        CommandSpec spec = CommandSpec.create().name(name).mixinStandardHelpOptions(true);
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-c", "--config").paramLabel("FILE").type(Path.class)
                .defaultValue(DEFAULT_CONFIG.toString())
                .description("The config file (default: ${DEFAULT-VALUE}).").build());
        return spec;
    }

    private static String version() {
        String v = PorticoCli.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
