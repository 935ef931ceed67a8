package dev.portico.app.proxy;

import dev.portico.app.http.ReadSuspension;
import dev.portico.app.http.StrictFramingHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;

/**
 * Turns an exchange whose backend answered {@code 101} into a byte tunnel. Order matters: the
 * {@code 101} is encoded by the client codec first; then both codecs leave (bytes the backend sent
 * after its {@code 101} flow into the tunnel as they are); last the framing handler leaves, passing on
 * any bytes the client sent after its upgrade request. Event loop only (both channels share it).
 */
final class TunnelSwitch {
    private TunnelSwitch() {}

    static void install(Channel client, ChannelHandler frontend, HttpResponse response, Channel backend, Duration idle,
                        ProxyCounters counters, StrictFramingHandler framing, ReadSuspension reads) {
        HttpHeaders headers = response.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        HopByHop.strip(headers);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        if (upgrade != null) {
            headers.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        client.write(response, client.voidPromise());
        client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, client.voidPromise());
        counters.tunnelOpened();
        Runnable closed = new Closed(counters);
        TunnelIdle tunnelIdle = new TunnelIdle(client, backend, idle.toNanos());
        reads.resume(ReadSuspension.BACKPRESSURE);
        client.pipeline().replace(frontend, PipelineNames.TUNNEL, new TunnelHandler(backend, tunnelIdle, closed));
        client.pipeline().remove(PipelineNames.CODEC);
        backend.pipeline().replace(PipelineNames.HANDLER, PipelineNames.TUNNEL, new TunnelHandler(client, tunnelIdle, closed));
        tunnelIdle.start();
        backend.config().setAutoRead(client.isWritable());
        backend.pipeline().remove(PipelineNames.CODEC);
        framing.handOver();
        client.config().setAutoRead(backend.isWritable());
    }

    /** Counts the tunnel closed once both of its sides have closed. */
    private static final class Closed implements Runnable {
        private final ProxyCounters counters;
        private int sides;

        Closed(ProxyCounters counters) {
            this.counters = counters;
        }

        @Override
        public void run() {
            if (++sides == 2) {
                counters.tunnelClosed();
            }
        }
    }
}
