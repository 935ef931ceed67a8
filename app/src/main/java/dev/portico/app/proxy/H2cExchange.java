package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.http.ReadSuspension;
import dev.portico.app.observe.ExchangeObserver;
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
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One proxied request to an {@code h2c://} upstream, on a stream of the shared HTTP/2 connection of
 * this event loop ({@link H2cConnections}), and the last handler of that stream's child channel. The
 * stream's pipeline translates between HTTP/1-style objects and frames, so the request head, each body
 * chunk (each gRPC message as it comes) and the trailers ({@code grpc-status}) pass through in order,
 * both ways at once: the response may start before the request ends (bidirectional streaming).
 *
 * <p>Backpressure: client reads stop while the upstream stream is not writable (its send window is
 * spent); upstream stream reads stop while the client is not writable, so the upstream's window is
 * not replenished. Failures: no upstream connection or stream → next upstream, then 502; the stream
 * reset before the response head → 502; no head within {@code responseHeaderTimeout} after the
 * request ended → 504; reset or idle after the head → the client's stream (or connection) is cut.
 * Event loop of the client channel only (the upstream connection lives on it).
 */
@ChannelHandler.Sharable // one stream at a time; a failed attempt's stream is closed before the next
final class H2cExchange extends ChannelInboundHandlerAdapter implements UpstreamExchange {
    private final FrontendHandler frontend;
    private final Channel client;
    private final ReadSuspension clientReads;
    private final HttpRequest head;
    private final RouteOptions options;
    private final List<Upstream> candidates;
    private final H2cConnections connections;
    private final UpstreamBalancer balancer;
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(4);

    private int nextCandidate;
    private Upstream upstream;
    private Channel stream;
    private boolean responseHead;
    private boolean requestEnded;
    private boolean swallowInterim;
    private boolean done;
    private ScheduledFuture<?> headTimer;

    H2cExchange(FrontendHandler frontend, Channel client, ReadSuspension clientReads, HttpRequest head,
                RouteOptions options, List<Upstream> candidates, H2cConnections connections, UpstreamBalancer balancer) {
        this.frontend = frontend;
        this.client = client;
        this.clientReads = clientReads;
        this.head = head;
        this.options = options;
        this.candidates = candidates;
        this.connections = connections;
        this.balancer = balancer;
    }

    @Override
    public void start() {
        clientReads.suspend(ReadSuspension.BACKPRESSURE);
        tryNext();
    }

    @Override
    public void requestContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        if (stream == null) {
            pending.add(content);
            return;
        }
        write(content);
        if (!stream.isWritable()) {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    @Override
    public void flushRequest() {
        if (stream != null && !done) {
            stream.flush();
        }
    }

    @Override
    public void clientWritabilityChanged() {
        if (stream != null && !done) {
            stream.config().setAutoRead(client.isWritable());
        }
    }

    @Override
    public void abort() {
        if (done) {
            return;
        }
        finish();
        if (stream != null) {
            stream.close(); // RST_STREAM (CANCEL) to the upstream
        }
    }

    private void tryNext() {
        if (nextCandidate >= candidates.size()) {
            fail(502, "no upstream accepted the connection");
            return;
        }
        Upstream target = candidates.get(nextCandidate++);
        upstream = target;
        ExchangeObserver.tagUpstream(client, target.toString());
        ChannelHandler init = new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.pipeline()
                        .addLast(PipelineNames.CODEC, new Http2StreamFrameToHttpObjectCodec(false))
                        .addLast(PipelineNames.IDLE, new IdleStateHandler(0, 0, options.idleTimeout().toNanos(), TimeUnit.NANOSECONDS))
                        .addLast(PipelineNames.HANDLER, H2cExchange.this);
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
                attach(f.getNow());
            } else {
                balancer.markDown(target);
                tryNext();
            }
        });
    }

    private void attach(Http2StreamChannel ch) {
        stream = ch;
        ch.config().setAutoRead(client.isWritable());
        write(head);
        HttpContent content;
        while ((content = pending.poll()) != null) {
            write(content);
        }
        ch.flush();
        if (ch.isWritable()) {
            clientReads.resume(ReadSuspension.BACKPRESSURE);
        }
    }

    private void write(Object msg) {
        boolean last = msg instanceof LastHttpContent;
        requestEnded |= last;
        stream.write(msg).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                f.channel().close(); // seen as channelInactive below
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
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || ctx.channel() != stream) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            Http2Requests.stripExtensions(response.headers());
            int status = response.status().code();
            if (status < 200) {
                swallowInterim = !(msg instanceof LastHttpContent); // interim answers stay here
                ReferenceCountUtil.release(msg);
                return;
            }
            cancelHeadTimer();
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
            stream.config().setAutoRead(false);
        }
    }

    private void complete() {
        client.flush();
        finish();
        if (!requestEnded) {
            stream.close(); // the upstream answered before the request ended: RST_STREAM, not a stream left half-open
        }
        frontend.responseDone();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done) {
            client.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (done) {
            return;
        }
        if (ctx.channel().isWritable()) {
            clientReads.resume(ReadSuspension.BACKPRESSURE);
        } else {
            clientReads.suspend(ReadSuspension.BACKPRESSURE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (done || ctx.channel() != stream) {
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
        if (evt instanceof IdleStateEvent && !done && ctx.channel() == stream) {
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

    private void fail(int status, String reason) {
        if (done) {
            return;
        }
        finish();
        if (stream != null) {
            stream.close();
        }
        frontend.exchangeFailed(status, reason);
    }

    private void truncate() {
        finish();
        stream.close();
        frontend.truncate();
    }

    private void finish() {
        done = true;
        cancelHeadTimer();
        HttpContent content;
        while ((content = pending.poll()) != null) {
            content.release();
        }
        clientReads.resume(ReadSuspension.BACKPRESSURE);
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }
}
