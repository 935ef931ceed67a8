package dev.portico.tls.sni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.policy.ServerContextFactory;
import dev.portico.tls.policy.TlsPolicy;
import dev.portico.tls.policy.TlsProvider;
import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TlsTestClient;
import dev.portico.tls.testing.TlsTestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replacing a certificate under load: no failed handshake, no dropped connection. The load comes from
 * a Netty client on OpenSSL (full handshakes, no session cache), fast enough for thousands of
 * handshakes in seconds; the long-lived connection is a JDK {@link SSLSocket}.
 */
@Timeout(120)
class HotSwapTest {
    private static final int SWAPS = 100;
    private static final int CLIENTS = 12;
    private static final HostPattern NAME = HostPattern.parse("a.test");

    /**
     * 2,000 handshakes against OpenSSL, the production provider. The JDK provider gets fewer: its
     * pure-Java P-256 costs several milliseconds of CPU per server handshake, which would make this
     * class slow on a small machine; 100 swaps still happen under its load.
     */
    static Stream<Arguments> providers() {
        return Stream.of(Arguments.of(TlsProvider.OPENSSL, 2_000), Arguments.of(TlsProvider.JDK, 600));
    }

    @ParameterizedTest(name = "{0}: {1} handshakes")
    @MethodSource("providers")
    void everyHandshakeSucceedsWithAnInstalledCertificateWhileItIsReplaced(TlsProvider provider, int handshakeCount)
            throws Exception {
        ServerContextFactory factory = new ServerContextFactory(TlsPolicy.defaults().withProvider(provider),
                Clock.systemUTC(), new SecureRandom());
        CertificateStore store = new CertificateStore();
        Set<X509Certificate> installed = ConcurrentHashMap.newKeySet();
        CertificateKeyPair first = TestCertificates.selfSigned("a.test");
        installed.add(first.leaf());
        store.install(List.of(NAME), factory.serve(first, "test"));

        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 1);
        try (TlsTestServer server = TlsTestServer.start(store);
             NettyTlsClient fastClient = new NettyTlsClient("a.test");
             SSLSocket longLived = TlsTestClient.connect(TlsTestClient.trustAllContext(), server.port(), "a.test")) {
            assertEquals(TlsTestServer.GREETING, TlsTestClient.readGreeting(longLived), "the long-lived connection works");

            AtomicInteger handshakes = new AtomicInteger();
            AtomicInteger swaps = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

            Future<?> swapper = threads.submit(() -> {
                // Control plane: build off the event loops, then one install per swap. Paced by the
                // handshakes (a swap every handshakeCount / SWAPS / 2 of them) so both progress together.
                while (!done.get()) {
                    if (handshakes.get() < swaps.get() * (handshakeCount / SWAPS / 2)) {
                        LockSupport.parkNanos(100_000);
                        continue;
                    }
                    CertificateKeyPair next = TestCertificates.selfSigned("a.test");
                    installed.add(next.leaf()); // recorded before it can be served
                    store.install(List.of(NAME), factory.serve(next, "test"));
                    swaps.incrementAndGet();
                }
                return null;
            });
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(threads.submit(() -> {
                    while (handshakes.get() < handshakeCount || swaps.get() < SWAPS) {
                        try {
                            X509Certificate leaf = fastClient.handshake(server.port());
                            if (!installed.contains(leaf)) {
                                problems.add("served a certificate that was never installed: " + leaf.getSerialNumber());
                            }
                        } catch (Exception e) {
                            problems.add(e.toString());
                        }
                        handshakes.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get(100, TimeUnit.SECONDS);
            }
            done.set(true);
            swapper.get(30, TimeUnit.SECONDS);

            assertTrue(handshakes.get() >= handshakeCount, "at least " + handshakeCount + " handshakes: " + handshakes);
            assertTrue(swaps.get() >= SWAPS, "at least " + SWAPS + " swaps: " + swaps);
            assertEquals(List.of(), List.copyOf(problems), "no handshake may fail or see a foreign certificate during swaps");
            assertTrue(installed.size() > SWAPS, "the swaps really installed distinct certificates");

            assertEquals(first.leaf(), longLived.getSession().getPeerCertificates()[0],
                    "an established connection keeps the certificate it was opened with");
            assertEquals("ping\n", echo(longLived, "ping\n"),
                    "a connection opened before " + swaps + " swaps still exchanges bytes after them");
        } finally {
            threads.shutdownNow();
        }
    }

    private static String echo(SSLSocket socket, String text) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] back = in.readNBytes(text.length());
        return new String(back, StandardCharsets.US_ASCII);
    }
}
