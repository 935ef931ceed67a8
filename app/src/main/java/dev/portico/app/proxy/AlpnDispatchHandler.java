package dev.portico.app.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the rest of an HTTPS connection's pipeline once the TLS handshake has chosen the protocol:
 * {@code h2} → {@link Http2Frontend}, {@code http/1.1} or no ALPN at all → the strict HTTP/1.1
 * frontend ({@link FrontendPipeline}). Bytes that arrive before the choice are held and replayed.
 * One per connection; event loop only.
 */
final class AlpnDispatchHandler extends ApplicationProtocolNegotiationHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AlpnDispatchHandler.class);

    private final Supplier<FrontendSettings> settings;
    private final ProxyServices services;

    AlpnDispatchHandler(Supplier<FrontendSettings> settings, ProxyServices services) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.settings = settings;
        this.services = services;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        switch (protocol) {
            case ApplicationProtocolNames.HTTP_2 -> Http2Frontend.add(ctx.channel(), settings, services);
            case ApplicationProtocolNames.HTTP_1_1 -> FrontendPipeline.addHttp(ctx.channel(), true, settings, services,
                    token -> null, 443);
            default -> ctx.close(); // ALPN agreed on something we never offered
        }
    }

    /**
     * An I/O error before the protocol was chosen (a client that resets mid-handshake): routine for a
     * proxy, so DEBUG and close, as the frontends do later. The parent class would log a WARN with a
     * stack trace and pass the error to the pipeline's tail, which logs it again.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            super.exceptionCaught(ctx, cause); // a failed handshake: handshakeFailure below
            return;
        }
        LOG.debug("event=client_connection_error channel={} remote={} error={}",
                ctx.channel().id(), ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** The handshake failed: count it (no observer is in the pipeline yet) and close, without a WARN per client. */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        services.metrics().handshake(false, cause.getClass().getSimpleName());
        ctx.close();
    }
}
