package dev.portico.app.acme;

import static dev.portico.app.acme.AcmeEndToEnd.config;
import static dev.portico.app.acme.AcmeEndToEnd.servedChain;
import static dev.portico.app.acme.AcmeEndToEnd.verifies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.portico.acme.PebbleExtension;
import dev.portico.app.server.Portico;
import dev.portico.tls.testing.Await;
import dev.portico.tls.testing.TlsTestClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renewal while serving: Pebble issues 20-second certificates, so the scheduler renews in the
 * background (at half the lifetime, as for any certificate shorter than 10 days). New handshakes see
 * the new serial; a connection opened before the renewal keeps working on its old certificate.
 */
class LiveRenewalIT {
    private static final int HTTP_PORT = AcmeEndToEnd.freePort();
    private static final String HOST = "renew.portico-e2e.net";

    @RegisterExtension
    static final PebbleExtension PEBBLE = PebbleExtension.validatingOn(HTTP_PORT, 20);

    @TempDir
    Path dir;

    private Portico portico;

    @AfterEach
    void stop() {
        if (portico != null) {
            portico.close();
        }
    }

    @Test
    void aDueCertificateIsRenewedInTheBackgroundWithoutDisturbingAnOpenConnection() throws Exception {
        portico = Portico.start(config(PEBBLE, dir, HTTP_PORT, List.of(HOST)), Clock.systemUTC());
        int https = portico.httpsAddress().getPort();
        X509Certificate root = PEBBLE.root();
        Await.until(Duration.ofSeconds(30), "the first certificate is issued",
                () -> servedChain(https, HOST).filter(chain -> verifies(chain, root)).isPresent());

        try (SSLSocket before = TlsTestClient.connect(TlsTestClient.trustAllContext(), https, HOST)) {
            BigInteger firstSerial = ((X509Certificate) before.getSession().getPeerCertificates()[0]).getSerialNumber();
            assertEquals("hello from " + HOST, get(before), "the connection opened before renewal works");

            Await.until(Duration.ofSeconds(40), "new handshakes see a renewed certificate (new serial)",
                    () -> servedChain(https, HOST).map(chain -> !chain.get(0).getSerialNumber().equals(firstSerial))
                            .orElse(false));
            X509Certificate renewed = servedChain(https, HOST).orElseThrow().get(0);

            assertNotEquals(firstSerial, renewed.getSerialNumber(), "renewal installs a new certificate");
            assertEquals("hello from " + HOST, get(before), "the connection opened before renewal still works after it");
            assertEquals(firstSerial, ((X509Certificate) before.getSession().getPeerCertificates()[0]).getSerialNumber(),
                    "an established connection keeps the certificate it was handshaken with");
        }
    }

    /** One keep-alive GET on {@code socket}; returns the body. */
    private static String get(SSLSocket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        int length = -1;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
            int n = in.read(body, read, length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return new String(body, 0, read);
    }
}
