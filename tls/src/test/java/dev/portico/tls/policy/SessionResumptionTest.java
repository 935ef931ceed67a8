package dev.portico.tls.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.sni.CertificateStore;
import dev.portico.tls.sni.HostPattern;
import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TlsTestClient;
import dev.portico.tls.testing.TlsTestServer;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Session resumption across a certificate swap. Evidence of resumption: a resumed session carries the
 * peer certificate of the session it resumes (no Certificate message is sent), so after the swap a
 * resumed connection still reports the old certificate while a full handshake reports the new one.
 */
@Timeout(60)
class SessionResumptionTest {
    private static final HostPattern NAME = HostPattern.parse("a.test");

    private final CertificateStore store = new CertificateStore();
    private final CertificateKeyPair before = TestCertificates.selfSigned("a.test");
    private final CertificateKeyPair after = TestCertificates.selfSigned("a.test");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T12:00:00Z"));
    private TlsTestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void openSslResumesAfterTheCertificateIsSwapped(String protocol) throws Exception {
        ServerContextFactory factory = start(TlsProvider.OPENSSL);
        SSLContext client = TlsTestClient.trustAllContext();
        SSLSession first = handshake(client, protocol);
        assertEquals(before.leaf(), first.getPeerCertificates()[0], "the first handshake sees the first certificate");

        store.install(List.of(NAME), factory.serve(after, "test"));
        SSLSession resumed = handshake(client, protocol);

        assertEquals(before.leaf(), resumed.getPeerCertificates()[0],
                "the session must resume through the new context, whose ticket keys are the shared ones");
        if (protocol.equals("TLSv1.2")) {
            assertArrayEquals(first.getId(), resumed.getId(), "a resumed TLS 1.2 session keeps its session id");
        }
        assertEquals(after.leaf(), TlsTestClient.leafCertificate(server.port(), "a.test"),
                "a client without a ticket gets the new certificate: the swap did happen");
    }

    @Test
    void openSslStillResumesAfterOneTicketKeyRotation() throws Exception {
        ServerContextFactory factory = start(TlsProvider.OPENSSL);
        SSLContext client = TlsTestClient.trustAllContext();
        handshake(client, "TLSv1.3");

        clock.advance(TlsPolicy.defaults().ticketKeyRotation());
        assertTrue(factory.rotateTicketKeysIfDue(), "a key is due after one rotation period");
        store.install(List.of(NAME), factory.serve(after, "test"));

        assertEquals(before.leaf(), handshake(client, "TLSv1.3").getPeerCertificates()[0],
                "tickets made with the previous key still decrypt after a rotation");
    }

    @Test
    void jdkProviderFallsBackToAFullHandshakeAfterASwap() throws Exception {
        ServerContextFactory factory = start(TlsProvider.JDK);
        SSLContext client = TlsTestClient.trustAllContext();
        handshake(client, "TLSv1.3");
        assertEquals(before.leaf(), handshake(client, "TLSv1.3").getPeerCertificates()[0],
                "control: without a swap the JDK provider resumes within one context");

        store.install(List.of(NAME), factory.serve(after, "test"));
        assertEquals(after.leaf(), handshake(client, "TLSv1.3").getPeerCertificates()[0],
                "documented limitation: SunJSSE ticket keys live in each SSLContext, so a swap means a full handshake");
    }

    private ServerContextFactory start(TlsProvider provider) throws Exception {
        ServerContextFactory factory = new ServerContextFactory(TlsPolicy.defaults().withProvider(provider),
                clock, new SecureRandom());
        store.install(List.of(NAME), factory.serve(before, "test"));
        server = TlsTestServer.start(store);
        return factory;
    }

    /** One connection; reading the greeting makes the client process TLS 1.3 NewSessionTicket messages. */
    private SSLSession handshake(SSLContext client, String protocol) throws Exception {
        try (SSLSocket socket = TlsTestClient.connect(client, server.port(), "a.test", protocol)) {
            assertEquals(TlsTestServer.GREETING, TlsTestClient.readGreeting(socket), "application data flows");
            return socket.getSession();
        }
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration duration) {
            now.updateAndGet(instant -> instant.plus(duration));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
