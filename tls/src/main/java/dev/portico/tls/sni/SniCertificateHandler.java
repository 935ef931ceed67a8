package dev.portico.tls.sni;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a TLS connection: waits for the ClientHello, reads its SNI name, picks the
 * certificate from the {@link CertificateStore} (one snapshot read) and replaces itself with an
 * {@link SslHandler} of that certificate's context, named {@link #SSL_HANDLER_NAME}. The buffered
 * ClientHello then flows into the new handler, which completes the handshake.
 *
 * <p>When nothing matches (and there is no default), it answers with a fatal
 * {@code unrecognized_name} alert (RFC 6066 §3: "the server ... MAY send a fatal-level
 * unrecognized_name(112) alert") and closes the connection. The handshake (waiting for the
 * ClientHello and then the TLS handshake itself) is bounded by one handshake timeout counted
 * from the moment the handler is added.
 *
 * <p>One instance per channel (it keeps per-connection state). All methods run on the channel's
 * event loop and never block.
 */
public final class SniCertificateHandler extends AbstractSniHandler<Selection> {
    /** The name the {@link SslHandler} that replaces this handler gets in the pipeline. */
    public static final String SSL_HANDLER_NAME = "ssl";
    /** Default bound on the handshake, from connect to Finished. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(SniCertificateHandler.class);
    private static final int MAX_CLIENT_HELLO_LENGTH = 64 * 1024;

    private final CertificateStore store;
    private int clientVersion = UnrecognizedNameAlert.TLS_1_2;
    private long startNanos;
    private boolean rejected;

    /** A handler with the {@linkplain #DEFAULT_HANDSHAKE_TIMEOUT default handshake timeout}. */
    public SniCertificateHandler(CertificateStore store) {
        this(store, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** A handler that closes the connection when the handshake has not completed within {@code handshakeTimeout}. */
    public SniCertificateHandler(CertificateStore store, Duration handshakeTimeout) {
        super(MAX_CLIENT_HELLO_LENGTH, positiveMillis(handshakeTimeout));
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Event loop: starts the handshake clock. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        startNanos = System.nanoTime();
        super.handlerAdded(ctx);
    }

    /** Event loop: drops whatever arrives after a rejection instead of parsing it again. */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decode(ctx, in, out);
    }

    /** Event loop: remembers the ClientHello's version for the record of a possible alert. */
    @Override
    protected Future<Selection> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        if (clientHello != null && clientHello.readableBytes() >= 2) {
            clientVersion = clientHello.getUnsignedShort(clientHello.readerIndex());
        }
        return super.lookup(ctx, clientHello);
    }

    /** Event loop: normalizes the SNI name, records it on the channel, reads the store once. */
    @Override
    protected Future<Selection> lookup(ChannelHandlerContext ctx, String hostname) {
        String host = HostPattern.normalizeOrNull(hostname);
        if (host != null) {
            ctx.channel().attr(TlsAttributes.SNI_HOST_NAME).set(host);
        }
        return ctx.executor().newSucceededFuture(store.select(host));
    }

    /** Event loop: installs the selected context's {@link SslHandler}, or refuses the handshake. */
    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<Selection> future) {
        Selection selection = future.getNow();
        if (selection instanceof Selection.Matched matched) {
            SslHandler ssl = matched.certificate().context().newHandler(ctx.alloc());
            long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
            ssl.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeoutMillis - elapsedMillis));
            ctx.pipeline().replace(this, SSL_HANDLER_NAME, ssl);
        } else {
            reject(ctx, hostname);
        }
    }

    private void reject(ChannelHandlerContext ctx, String hostname) {
        rejected = true;
        // Drop the buffered ClientHello: otherwise it would be passed on to the next handler when this
        // one is removed as the channel closes.
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
        if (LOG.isDebugEnabled()) {
            LOG.debug("tls.sni.rejected channel={} remote={} sni={}", ctx.channel().id(),
                    ctx.channel().remoteAddress(), hostname == null ? "-" : sanitize(hostname));
        }
        ctx.writeAndFlush(UnrecognizedNameAlert.record(ctx.alloc(), clientVersion))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private static String sanitize(String hostname) {
        return hostname.length() > 255 ? hostname.substring(0, 255) + "..." : hostname.replaceAll("[^\\x21-\\x7e]", "?");
    }

    private static long positiveMillis(Duration timeout) {
        Objects.requireNonNull(timeout, "handshakeTimeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout: " + timeout + " (expected: > 0)");
        }
        return timeout.toMillis();
    }
}
