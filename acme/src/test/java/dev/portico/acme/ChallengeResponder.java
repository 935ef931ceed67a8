package dev.portico.acme;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Test stand-in for the app's port-80 listener: answers
 * {@code GET /.well-known/acme-challenge/<token>} from an {@link Http01Challenges}, or 404 for every
 * request while {@link #failing} is set (a challenge failure on purpose).
 */
final class ChallengeResponder implements AutoCloseable {
    private static final String PREFIX = "/.well-known/acme-challenge/";
    private final HttpServer server;
    private final ExecutorService executor;
    private final Http01Challenges challenges;
    volatile boolean failing;

    ChallengeResponder(Http01Challenges challenges) throws IOException {
        this.challenges = challenges;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "challenge-responder");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String answer = !failing && path.startsWith(PREFIX)
                    ? challenges.keyAuthorization(path.substring(PREFIX.length())) : null;
            if (answer == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = answer.getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
