package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portico.app.config.ConfigParser;
import dev.portico.app.config.Listen;
import dev.portico.app.config.PorticoConfig;
import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.testing.Await;
import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TlsTestClient;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host whose certificate the user gives as PEM files: served, and replaced live when the files change. */
class FileCertificateServeTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);

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
    void pemFilesAreServedAndAReplacedFileIsServedWithoutRestart() throws Exception {
        CertificateKeyPair first = TestCertificates.selfSigned("files.test");
        writePem(first);
        portico = Portico.start(config(), Clock.systemUTC());
        int port = portico.httpsAddress().getPort();

        assertEquals(serial(first), servedSerial(port),
                "the certificate from the configured PEM files is served for its host");

        CertificateKeyPair second = TestCertificates.selfSigned("files.test");
        writePem(second); // atomic rename-replace, as certbot and cert-manager do
        Await.until(Duration.ofSeconds(10), "the replaced files are served to new handshakes",
                () -> serial(second).equals(servedSerial(port)));
    }

    private void writePem(CertificateKeyPair pair) throws Exception {
        Path chainTmp = dir.resolve("chain.pem.tmp");
        Path keyTmp = dir.resolve("key.pem.tmp");
        Files.writeString(keyTmp, TestCertificates.pkcs8Pem(pair.key()));
        Files.writeString(chainTmp, TestCertificates.certificatesPem(pair.chain()));
        Files.move(keyTmp, dir.resolve("key.pem"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(chainTmp, dir.resolve("chain.pem"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private PorticoConfig config() throws Exception {
        String yaml = """
                routes:
                  - host: files.test
                    tls: { cert: chain.pem, key: key.pem }
                    respond: { status: 200, body: files }
                """;
        PorticoConfig parsed = new ConfigParser().parse(yaml, "routes.yaml", dir);
        Listen ephemeral = new Listen(ANY_LOOPBACK_PORT, Optional.empty(), Optional.empty());
        return new PorticoConfig(ephemeral, parsed.storage(), parsed.tls(), parsed.acme(), parsed.trustedProxies(),
                parsed.limits(), parsed.routes());
    }

    private static BigInteger servedSerial(int port) throws Exception {
        try (SSLSocket socket = TlsTestClient.connect(TlsTestClient.trustAllContext(), port, "files.test")) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static BigInteger serial(CertificateKeyPair pair) {
        return pair.leaf().getSerialNumber();
    }
}
