package dev.portico.app.proxy;

import dev.portico.tls.sni.HostPattern;
import dev.portico.tls.sni.TlsAttributes;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A self-signed test certificate for localhost and the test names, a plain Netty TLS front handler
 * that stands in for the real SNI handler (it sets {@link TlsAttributes#SNI_HOST_NAME} the same way),
 * and client contexts trusting it.
 */
final class TestTls {
    static final TestTls INSTANCE = create();

    final X509Bundle bundle;
    final SslContext server;
    final SSLContext client;

    private TestTls(X509Bundle bundle, SslContext server, SSLContext client) {
        this.bundle = bundle;
        this.server = server;
        this.client = client;
    }

    private static TestTls create() {
        try {
            X509Bundle bundle = new CertificateBuilder()
                    .subject("CN=localhost")
                    .addSanDnsName("localhost")
                    .addSanDnsName("a.test")
                    .addSanDnsName("b.test")
                    .addSanDnsName("other.test")
                    .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                    .notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
                    .ecp256()
                    .setIsCertificateAuthority(true)
                    .buildSelfSigned();
            SslContext server = SslContextBuilder.forServer(bundle.toKeyManagerFactory())
                    .sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2").build();
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, bundle.toTrustManagerFactory().getTrustManagers(), null);
            return new TestTls(bundle, server, client);
        } catch (Exception e) {
            throw new IllegalStateException("test certificate", e);
        }
    }

    /** The TLS front handler factory given to {@link HttpsInitializer}. */
    Function<SocketChannel, ChannelHandler> front() {
        return front(server);
    }

    /** The same certificate served by {@code provider} (JDK or OpenSSL/BoringSSL). Not on an event loop. */
    Function<SocketChannel, ChannelHandler> front(SslProvider provider) {
        try {
            return front(SslContextBuilder.forServer(bundle.toKeyManagerFactory())
                    .sslProvider(provider).protocols("TLSv1.3", "TLSv1.2").build());
        } catch (Exception e) {
            throw new IllegalStateException("server context for " + provider, e);
        }
    }

    /** The TLS front offering ALPN {@code h2} and {@code http/1.1}, as Portico's policy does. Not on an event loop. */
    Function<SocketChannel, ChannelHandler> frontH2() {
        try {
            return front(SslContextBuilder.forServer(bundle.toKeyManagerFactory())
                    .sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                            io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            "h2", "http/1.1"))
                    .build());
        } catch (Exception e) {
            throw new IllegalStateException("h2 server context", e);
        }
    }

    private static Function<SocketChannel, ChannelHandler> front(SslContext context) {
        return ch -> new SniHandler(name -> context) {
            @Override
            protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext context) throws Exception {
                String normalized = HostPattern.normalizeOrNull(hostname);
                if (normalized != null) {
                    ctx.channel().attr(TlsAttributes.SNI_HOST_NAME).set(normalized);
                }
                super.replaceHandler(ctx, hostname, context);
            }
        };
    }

    /** A connected, handshaken TLS socket to {@code port} presenting {@code sni} (null: no SNI). */
    SSLSocket connect(int port, String sni) {
        return connect(port, sni, new String[0]);
    }

    /** As {@link #connect(int, String)}, offering ALPN {@code alpn} (none when empty). */
    SSLSocket connect(int port, String sni, String... alpn) {
        try {
            SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
                    new Socket("127.0.0.1", port), sni == null ? "127.0.0.1" : sni, port, true); // JDK resumes per host: keep SNIs apart
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            if (alpn.length > 0) {
                params.setApplicationProtocols(alpn);
            }
            socket.setSSLParameters(params);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
