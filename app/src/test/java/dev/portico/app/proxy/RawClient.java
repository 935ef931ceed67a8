package dev.portico.app.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Byte-exact client helpers over plain or TLS sockets. */
final class RawClient {
    private RawClient() {}

    static Socket plain(int port) {
        try {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(10_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void send(Socket socket, String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} and reads until the proxy closes the connection (or 10 s pass: fails). */
    static String sendAndReadToClose(Socket socket, String request) {
        send(socket, request);
        return readToClose(socket);
    }

    /** Reads until the peer closes; a timeout is a test failure (the proxy must close). */
    static String readToClose(Socket socket) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (socket) {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the proxy did not close the connection; got so far: " + out.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // a reset counts as a close; what arrived before it is returned
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response with a Content-Length body (or none) and returns head and body as text. */
    static String readResponse(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("connection closed mid-head: " + head.toString(StandardCharsets.ISO_8859_1));
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : h.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            byte[] body = in.readNBytes(length);
            return h + new String(body, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
