package dev.portico.app.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A raw-socket backend that records the exact bytes each connection sent. After each request head
 * (CRLFCRLF) it runs {@code answer} with the head seen so far and the socket's output, so tests choose
 * byte-exact answers: a fixed response, garbage, silence, a mid-body close.
 */
final class RecordingBackend implements AutoCloseable {
    static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<ByteArrayOutputStream> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final BiConsumer<String, OutputStream> answer;

    RecordingBackend(BiConsumer<String, OutputStream> answer) throws IOException {
        this.answer = answer;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "recording-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A backend answering every request head with {@code response}. */
    static RecordingBackend answering(String response) throws IOException {
        return new RecordingBackend((head, out) -> write(out, response));
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Everything received on connection {@code i}, as ISO-8859-1 text. */
    String received(int i) {
        ByteArrayOutputStream bytes = connections.get(i);
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Everything received on all connections. */
    String receivedAll() {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < connections.size(); i++) {
            all.append(received(i));
        }
        return all.toString();
    }

    static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            // the proxy may have closed; the test asserts on what it saw
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                sockets.add(socket);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                connections.add(bytes);
                Thread t = new Thread(() -> serve(socket, bytes), "recording-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, ByteArrayOutputStream bytes) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buf = new byte[8192];
            int searchFrom = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                String all;
                synchronized (bytes) {
                    bytes.write(buf, 0, n);
                    all = bytes.toString(StandardCharsets.ISO_8859_1);
                }
                int end;
                while ((end = all.indexOf("\r\n\r\n", searchFrom)) >= 0) {
                    searchFrom = end + 4;
                    answer.accept(all.substring(0, end + 4), out);
                }
            }
        } catch (IOException e) {
            // connection closed by the proxy
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
