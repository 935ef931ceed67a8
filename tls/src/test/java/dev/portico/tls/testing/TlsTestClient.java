package dev.portico.tls.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real JDK TLS client for tests: {@link SSLSocket} with an explicit SNI name, reading the peer
 * certificate the server chose. Trusts every certificate, because the tests check which certificate
 * was served, not whether it chains to a root (tests about chains use their own trust manager).
 */
public final class TlsTestClient {
    private static final int TIMEOUT_MILLIS = 5_000;

    private TlsTestClient() {}

    /** A client context that accepts any server certificate; reuse it to allow session resumption. */
    public static SSLContext trustAllContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connects to {@code 127.0.0.1:port}, sends {@code sni} (none when null) and completes the
     * handshake. {@code protocols} empty means the JDK's defaults. The caller closes the socket.
     */
    public static SSLSocket connect(SSLContext context, int port, String sni, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        try {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            if (protocols.length > 0) {
                parameters.setProtocols(protocols);
            }
            socket.setSSLParameters(parameters);
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The leaf certificate the server sends for {@code sni} (a fresh context, so no resumption). */
    public static X509Certificate leafCertificate(int port, String sni) throws IOException {
        try (SSLSocket socket = connect(trustAllContext(), port, sni)) {
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            readGreeting(socket);
            return leaf;
        }
    }

    /** Reads the server's {@link TlsTestServer#GREETING} line (which also processes TLS 1.3 tickets). */
    public static String readGreeting(SSLSocket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] line = new byte[TlsTestServer.GREETING.length()];
        int read = 0;
        while (read < line.length) {
            int n = in.read(line, read, line.length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " bytes of the greeting");
            }
            read += n;
        }
        return new String(line, StandardCharsets.US_ASCII);
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
