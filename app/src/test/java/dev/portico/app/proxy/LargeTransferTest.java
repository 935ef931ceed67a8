package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100 MiB up and 100 MiB down over HTTPS through a proxy running in its own JVM with
 * {@code -Xmx64m -XX:MaxDirectMemorySize=64m}: the checksums match, so the proxy streamed both ways
 * without holding a body (buffering either would not fit).
 */
@Timeout(120)
class LargeTransferTest {
    private static final long SIZE = 100L << 20;
    static EchoBackend backend;
    static Process proxy;
    static int httpsPort;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend("big");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        proxy = new ProcessBuilder(java, "-Xmx64m", "-XX:MaxDirectMemorySize=64m", "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"), BoundedProxyMain.class.getName(), String.valueOf(backend.port()))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("PORTS ")) {
            System.out.println("bounded proxy: " + line);
        }
        if (line == null) {
            throw new AssertionError("the bounded proxy did not start");
        }
        httpsPort = Integer.parseInt(line.split(" ")[1]);
        Thread drain = new Thread(() -> out.lines().forEach(l -> System.out.println("bounded proxy: " + l)));
        drain.setDaemon(true);
        drain.start();
        SSLContext trustAll = SSLContext.getInstance("TLS");
        // The child JVM made its own test certificate; this test is about memory, not about trust.
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) { }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        http = HttpClient.newBuilder().sslContext(trustAll).version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.getOutputStream().close();
        if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
            proxy.destroyForcibly();
        }
        backend.close();
    }

    @Test
    void hundredMebibyteUploadArrivesIntact() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/sha256"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(expectedSha256() + " " + SIZE, response.body(), "the backend saw exactly the bytes sent (chunked upload)");
        assertTrue(proxy.isAlive(), "the 64 MiB proxy survived");
    }

    @Test
    void hundredMebibyteDownloadArrivesIntact() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/download?size=" + SIZE)).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = response.body()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
                total += n;
            }
        }
        assertEquals(SIZE, total, "every byte arrived");
        assertEquals(expectedSha256(), HexFormat.of().formatHex(digest.digest()), "and they are the backend's bytes");
        assertTrue(proxy.isAlive(), "the 64 MiB proxy survived");
    }

    private static String expectedSha256() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new PatternStream(SIZE)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The backend's download pattern as a stream. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private long position;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return position < size ? EchoBackend.pattern(position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = EchoBackend.pattern(position++);
            }
            return n;
        }
    }

}
