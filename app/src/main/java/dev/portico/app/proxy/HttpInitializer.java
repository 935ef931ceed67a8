package dev.portico.app.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds a plain-HTTP (port 80) client connection's pipeline (see {@link PipelineNames}): answers ACME
 * HTTP-01 challenges for any host, {@code 308}s routed hosts whose route says {@code REDIRECT} to
 * HTTPS, serves routes that say {@code SERVE}, {@code 404} otherwise. Sharable; runs on each new
 * channel's event loop.
 */
public final class HttpInitializer extends ChannelInitializer<SocketChannel> {
    private final Supplier<FrontendSettings> settings;
    private final ProxyServices services;
    private final Function<String, String> acmeChallenges;
    private final int httpsPort;

    /**
     * @param acmeChallenges token → key authorization, null when unknown (answered 404); called on the event loop, must not block
     * @param httpsPort the HTTPS listener's port, written into redirects when it is not 443
     */
    public HttpInitializer(Supplier<FrontendSettings> settings, ProxyServices services,
                           Function<String, String> acmeChallenges, int httpsPort) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.services = Objects.requireNonNull(services, "services");
        this.acmeChallenges = Objects.requireNonNull(acmeChallenges, "acmeChallenges");
        this.httpsPort = httpsPort;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        FrontendPipeline.addHttp(ch, false, settings, services, acmeChallenges, httpsPort);
    }
}
