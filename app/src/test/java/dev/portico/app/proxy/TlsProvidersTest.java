package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.app.config.ServerLimits;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The HTTPS frontend behaves the same over the JDK and the OpenSSL (BoringSSL) TLS providers. */
@Timeout(30)
class TlsProvidersTest {
    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void proxiesKeepAliveRequestsAndStreamsAChunkedBody(SslProvider provider) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "OpenSSL provider not loadable here");
        try (EchoBackend backend = new EchoBackend("p");
             ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.proxy("a.test", backend.port())),
                     ServerLimits.DEFAULTS, List.of(), 1, TestTls.INSTANCE.front(provider));
             Socket s = TestTls.INSTANCE.connect(proxy.httpsPort(), "a.test")) {
            RawClient.send(s, "GET /one HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertTrue(RawClient.readResponse(s).endsWith("hello from p /one"), provider + ": first request");
            RawClient.send(s, "GET /download?size=300000 HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n") && all.toLowerCase().contains("transfer-encoding: chunked"), provider + ": " + all.substring(0, 80));
            assertTrue(all.endsWith("\r\n0\r\n\r\n"), provider + ": the chunked body ends properly");
            assertEquals(2, backend.requests.get(), provider + ": both requests reached the backend");
        }
    }
}
