package dev.portico.tls.sni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.tls.policy.ServerContextFactory;
import dev.portico.tls.policy.TlsPolicy;
import dev.portico.tls.policy.TlsProvider;
import dev.portico.tls.testing.TestCertificates;
import dev.portico.tls.testing.TlsTestClient;
import dev.portico.tls.testing.TlsTestServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The handler alone in an {@link EmbeddedChannel}, fed a real ClientHello made by a JDK client engine. */
@Timeout(30)
class SniCertificateHandlerTest {
    private final CertificateStore store = new CertificateStore();

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void anUnknownNameIsAnsweredWithExactlyAFatalUnrecognizedNameAlert(String protocol) throws Exception {
        List<Object> passedOn = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new SniCertificateHandler(store), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add(msg);
                ReferenceCountUtil.release(msg);
            }
        });
        channel.writeInbound(clientHello("Unknown.Test", protocol));

        ByteBuf alert = channel.readOutbound();
        try {
            // RFC 8446 §5.1 / §6: alert(21), legacy_record_version 0x0303, length 2, fatal(2), unrecognized_name(112).
            assertEquals("150303000202" + "70", ByteBufUtil.hexDump(alert), "one plaintext fatal unrecognized_name alert");
        } finally {
            alert.release();
        }
        assertFalse(channel.isOpen(), "the connection closes after the alert");
        assertEquals("unknown.test", channel.attr(TlsAttributes.SNI_HOST_NAME).get(),
                "the normalized SNI name is recorded even when refused (for logs)");
        assertFalse(channel.finishAndReleaseAll(), "nothing else was written or left unread");
        assertEquals(List.of(), passedOn, "the refused ClientHello must not reach the handlers behind (e.g. HTTP)");
    }

    @Test
    void theAlertRecordCarriesAnOldClientsVersion() throws Exception {
        ByteBuf hello = clientHello("unknown.test", "TLSv1.2");
        hello.setShort(9, 0x0301); // client_version of a TLS 1.0 client (record 5 + handshake header 4)
        EmbeddedChannel channel = new EmbeddedChannel(new SniCertificateHandler(store));
        channel.writeInbound(hello);
        ByteBuf alert = channel.readOutbound();
        try {
            assertEquals("15030100020270", ByteBufUtil.hexDump(alert),
                    "a TLS 1.0 client gets the alert in a record version it parses (RFC 5246 Appendix E.1)");
        } finally {
            alert.release();
        }
        assertFalse(channel.finishAndReleaseAll(), "nothing else was written or left unread");
    }

    @Test
    void aKnownNameReplacesTheHandlerWithAnSslHandlerThatAnswersTheHello() throws Exception {
        ServerContextFactory factory = new ServerContextFactory(TlsPolicy.defaults().withProvider(TlsProvider.JDK),
                Clock.systemUTC(), new SecureRandom());
        store.install(List.of(HostPattern.parse("a.test")), factory.serve(TestCertificates.selfSigned("a.test"), "test"));
        EmbeddedChannel channel = new EmbeddedChannel(new SniCertificateHandler(store));
        channel.writeInbound(clientHello("a.test", "TLSv1.3"));

        assertNull(channel.pipeline().get(SniCertificateHandler.class), "the SNI handler removes itself");
        assertTrue(channel.pipeline().get(SniCertificateHandler.SSL_HANDLER_NAME) instanceof SslHandler,
                "an SslHandler takes its place under the documented name");
        ByteBuf serverHello = channel.readOutbound();
        assertNotNull(serverHello, "the buffered ClientHello reached the SslHandler, which answered");
        try {
            assertEquals(22, serverHello.getUnsignedByte(0), "the answer is a handshake record (ServerHello)");
        } finally {
            serverHello.release();
        }
        assertEquals("a.test", channel.attr(TlsAttributes.SNI_HOST_NAME).get(), "the SNI name is recorded");
        releaseOutbound(channel); // the rest of the server's flight
        channel.close();
        releaseOutbound(channel); // close_notify
        assertFalse(channel.finishAndReleaseAll(), "no inbound message or unread buffer is left");
    }

    @Test
    void aSilentClientIsClosedAtTheHandshakeTimeout() throws Exception {
        store.install(List.of(HostPattern.parse("a.test")), new ServerContextFactory(TlsPolicy.defaults(),
                Clock.systemUTC(), new SecureRandom()).serve(TestCertificates.selfSigned("a.test"), "test"));
        try (TlsTestServer server = TlsTestServer.start(store, Duration.ofMillis(300));
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            assertEquals(-1, in.read(), "a client that never sends a ClientHello is disconnected, not kept forever");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "closed near the 300 ms timeout");
        }
        // The real client still works against a server with a short timeout.
        try (TlsTestServer server = TlsTestServer.start(store, Duration.ofSeconds(5))) {
            assertNotNull(TlsTestClient.leafCertificate(server.port(), "a.test"), "a prompt client completes the handshake");
        }
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            ReferenceCountUtil.release(message);
        }
    }

    /** The first flight of a real JDK client for {@code sni}, as bytes on the wire. */
    private static ByteBuf clientHello(String sni, String protocol) throws Exception {
        SSLEngine engine = TlsTestClient.trustAllContext().createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        parameters.setProtocols(new String[] {protocol});
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }
}
