package dev.portico.app.proxy;

import dev.portico.app.config.ServerLimits;
import dev.portico.app.http.ReadSuspension;
import dev.portico.app.http.StrictFramingHandler;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import dev.portico.app.observe.ExchangeObserver;
import java.util.function.Function;
import java.util.function.Supplier;

/** Adds FRAMING, CODEC, OBSERVE and FRONTEND (see {@link PipelineNames}) to a client channel. Event loop only. */
final class FrontendPipeline {
    private FrontendPipeline() {}

    static void addHttp(Channel ch, boolean https, Supplier<FrontendSettings> settings, ProxyServices services,
                        Function<String, String> acmeChallenges, int httpsPort) {
        ServerLimits limits = settings.get().limits();
        ReadSuspension reads = new ReadSuspension(ch);
        StrictFramingHandler framing = new StrictFramingHandler(limits, reads);
        // The framing handler enforces the real limits first; the codec's are only a backstop.
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLine() + 16)
                .setMaxHeaderSize(limits.maxHeaderBytes() + 1024)
                .setMaxChunkSize(64 * 1024)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false);
        ch.pipeline()
                .addLast(PipelineNames.FRAMING, framing)
                .addLast(PipelineNames.CODEC, new HttpServerCodec(config))
                .addLast(PipelineNames.OBSERVE,
                        new ExchangeObserver(https ? "https" : "http", services.metrics(), services.clock()))
                .addLast(PipelineNames.FRONTEND,
                        new FrontendHandler(https, settings, framing, reads, services, acmeChallenges, httpsPort, null));
    }
}
