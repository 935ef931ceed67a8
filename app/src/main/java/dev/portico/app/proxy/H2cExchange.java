package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.http.ReadSuspension;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One proxied request to an {@code h2c://} upstream, on a stream of the shared HTTP/2 connection of
 * this event loop ({@link H2cConnections}). The
 * stream's pipeline translates between HTTP/1-style objects and frames, so the request head, each body
 * chunk (each gRPC message as it comes) and the trailers ({@code grpc-status}) pass through in order,
 * both ways at once: the response may start before the request ends (bidirectional streaming).
 *
 * <p>Backpressure: client reads stop while the upstream stream is not writable (its send window is
 * spent); upstream stream reads stop while the client is not writable, so the upstream's window is
 * not replenished. Failures: no upstream connection or stream → next upstream, then 502; the stream
 * reset before the response head → 502; no head within {@code responseHeaderTimeout} after the
 * request ended → 504; reset or idle after the head → the client's stream (or connection) is cut.
 * Event loop of the client channel only (the upstream connection lives on it). The stream channel's
 * last handler is a {@link StreamHandler} that passes its events here.
 */
final class H2cExchange extends UpstreamRelay {
    private final H2cConnections connections;
    private boolean requestEnded;
    private boolean swallowInterim;
    private ScheduledFuture<?> headTimer;

    H2cExchange(FrontendHandler frontend, Channel client, ReadSuspension clientReads, HttpRequest head,
                RouteOptions options, List<Upstream> candidates, H2cConnections connections, UpstreamBalancer balancer) {
        super(frontend, client, clientReads, head, options, candidates, balancer);
        this.connections = connections;
    }

    @Override
    protected void open() {
        Upstream target = upstream;
        StreamHandler handler = new StreamHandler();
        ChannelHandler init = new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.pipeline()
                        .addLast(PipelineNames.CODEC, new Http2StreamFrameToHttpObjectCodec(false))
                        .addLast(PipelineNames.IDLE, new IdleStateHandler(0, 0, options.idleTimeout().toNanos(), TimeUnit.NANOSECONDS))
                        .addLast(PipelineNames.HANDLER, handler);
            }
        };
        connections.openStream(client, target, options.connectTimeout(), init).addListener((Future<Http2StreamChannel> f) -> {
            if (done) {
                if (f.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (f.isSuccess()) {
                balancer.markUp(target);
                attached(f.getNow(), false);
            } else {
                balancer.markDown(target);
                tryNext();
            }
        });
    }

    @Override
    protected void write(Object msg) {
        boolean last = msg instanceof LastHttpContent;
        requestEnded |= last;
        backend.write(msg).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                f.channel().close(); // seen as inactive below
            } else if (last) {
                requestWritten();
            }
        });
    }

    private void requestWritten() {
        if (!responseHead && !done) {
            headTimer = client.eventLoop().schedule(() -> {
                headTimer = null;
                if (!responseHead && !done) {
                    fail(504, "the upstream did not answer in time");
                }
            }, options.responseHeaderTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void cancelDeadlines() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    private void read(Object msg) {
        if (msg instanceof HttpResponse response) {
            Http2Requests.stripExtensions(response.headers());
            int status = response.status().code();
            if (status < 200) {
                swallowInterim = !(msg instanceof LastHttpContent); // interim answers stay here
                ReferenceCountUtil.release(msg);
                return;
            }
            cancelDeadlines();
            responseHead = true;
            frontend.responseHead(response); // a FullHttpResponse (HEADERS with END_STREAM) is written whole
            if (msg instanceof FullHttpResponse) {
                complete();
            }
            return;
        }
        if (!(msg instanceof HttpContent content) || swallowInterim || !responseHead) {
            ReferenceCountUtil.release(msg);
            return;
        }
        client.write(content, client.voidPromise());
        if (content instanceof LastHttpContent) {
            complete();
        } else if (!client.isWritable()) {
            backend.config().setAutoRead(false);
        }
    }

    private void complete() {
        client.flush();
        finish();
        if (!requestEnded) {
            backend.close(); // the upstream answered before the request ended: RST_STREAM, not a stream left half-open
        }
        frontend.responseDone();
    }

    /** The last handler of the upstream stream's child channel: its events, for this exchange only. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private boolean mine(ChannelHandlerContext ctx) {
            return !done && ctx.channel() == backend;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (mine(ctx)) {
                read(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (mine(ctx)) {
                client.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (mine(ctx)) {
                backendWritable(ctx.channel().isWritable());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!mine(ctx)) {
                return;
            }
            if (!responseHead) {
                fail(502, "the upstream reset the stream");
            } else {
                truncate();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && mine(ctx)) {
                if (responseHead) {
                    truncate();
                } else {
                    fail(504, "the upstream did not answer in time");
                }
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // answered in channelInactive: 502 before the head, truncation after
        }
    }
}
