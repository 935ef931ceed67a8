package dev.portico.app.cli;

import dev.portico.app.config.ConfigException;
import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.PorticoConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code portico certs}: asks the running process's admin listener for its certificate state
 * ({@code /certificates}: every served name with issuer, not-after and source, and for ACME names the
 * next renewal attempt and last error) and prints it.
 */
final class CertsCommand {
    private CertsCommand() {}

    static int list(Path configFile, PrintStream out, PrintStream err) {
        PorticoConfig config;
        try {
            config = new ConfigParser().parse(configFile);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (config.listen().admin().isEmpty()) {
            err.println("portico certs: the admin listener is off in " + configFile + " (listen.admin)");
            return 1;
        }
        var admin = config.listen().admin().get();
        String host = admin.getAddress().isAnyLocalAddress() ? "127.0.0.1" : admin.getHostString();
        URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + admin.getPort() + "/certificates");
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            out.print(response.body());
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            err.println("portico certs: cannot reach the admin listener at " + uri + " (is portico running?): " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
