package dev.portico.app.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds an HTTPS client connection's pipeline: {@code TLS} (the handler {@code tls} makes; it must set
 * {@link dev.portico.tls.sni.TlsAttributes#SNI_HOST_NAME} before decrypted bytes flow), then
 * {@link AlpnDispatchHandler}, which adds the strict HTTP/1.1 frontend or the HTTP/2 one once the
 * handshake has chosen (see {@link PipelineNames}). Sharable; runs on each new channel's event loop.
 */
public final class HttpsInitializer extends ChannelInitializer<SocketChannel> {
    private final Function<SocketChannel, ChannelHandler> tls;
    private final Supplier<FrontendSettings> settings;
    private final ProxyServices services;

    /**
     * @param tls makes the TLS front handler of one channel (the SNI handler feeding from the store)
     * @param settings the current settings, read once per request (routes) or connection (limits)
     */
    public HttpsInitializer(Function<SocketChannel, ChannelHandler> tls, Supplier<FrontendSettings> settings,
                            ProxyServices services) {
        this.tls = Objects.requireNonNull(tls, "tls");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.services = Objects.requireNonNull(services, "services");
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(PipelineNames.TLS, tls.apply(ch));
        ch.pipeline().addLast(PipelineNames.ALPN, new AlpnDispatchHandler(settings, services));
    }
}
