package dev.portico.app.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection whose client may still be sending: a request refused before its body
 * was read (413, an early 404), framing in doubt (400), or requests pipelined behind one that said
 * {@code Connection: close} (RFC 9112 9.6 asks for this staged close). Closing at once with unread bytes in the
 * socket makes the kernel answer them with a reset, and a client still writing its body then sees
 * "connection reset" or "broken pipe" instead of the answer. As nginx's lingering close does: once the
 * answer is written, TLS close_notify and FIN go out, and whatever still arrives is read and dropped,
 * not decrypted and not parsed, until the client closes, sends nothing for {@value #IDLE_SECONDS} s, or
 * {@value #TOTAL_SECONDS} s have passed.
 *
 * <p>The handler goes first in the pipeline, so the TLS handler and the HTTP handlers see no more
 * bytes; the others stay and see the close as usual (the observer counts it). Event loop only.
 */
public final class LingeringClose extends ChannelInboundHandlerAdapter {
    static final String NAME = "linger";
    /** nginx's {@code lingering_timeout}. */
    static final int IDLE_SECONDS = 5;
    /** nginx's {@code lingering_time}. */
    static final int TOTAL_SECONDS = 30;

    private final long idleNanos;
    private final long totalNanos;
    private long startNanos;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;

    LingeringClose(long idleNanos, long totalNanos) {
        this.idleNanos = idleNanos;
        this.totalNanos = totalNanos;
    }

    /** Once {@code answer} (the connection's last write, flushed) is done, lingers and closes. Event loop only. */
    public static void afterWrite(ChannelFuture answer) {
        afterWrite(answer, TimeUnit.SECONDS.toNanos(IDLE_SECONDS), TimeUnit.SECONDS.toNanos(TOTAL_SECONDS));
    }

    static void afterWrite(ChannelFuture answer, long idleNanos, long totalNanos) {
        answer.addListener(f -> {
            Channel channel = answer.channel();
            if (!f.isSuccess() || !channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
                channel.close();
                return;
            }
            if (channel.pipeline().get(NAME) == null) {
                channel.pipeline().addFirst(NAME, new LingeringClose(idleNanos, totalNanos));
            }
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            if (tls == null) {
                shutdownOutput(duplex);
            } else {
                tls.closeOutbound().addListener(sent -> shutdownOutput(duplex));
            }
        });
    }

    private static void shutdownOutput(DuplexChannel channel) {
        if (channel.isActive()) {
            channel.shutdownOutput();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        startNanos = System.nanoTime();
        lastReadNanos = startNanos;
        timer = ctx.executor().schedule(() -> check(ctx), idleNanos, TimeUnit.NANOSECONDS);
        // Reading may have stopped (the refusal suspends it); whatever keeps it off is over now.
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        lastReadNanos = System.nanoTime();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // nothing was passed on
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client has sent everything: done
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset now is the client's doing and loses nothing of ours
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }

    private void check(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        long idleEnds = lastReadNanos + idleNanos;
        long totalEnds = startNanos + totalNanos;
        long next = idleEnds - totalEnds < 0 ? idleEnds : totalEnds;
        if (now - next >= 0) {
            timer = null;
            ctx.close();
        } else {
            timer = ctx.executor().schedule(() -> check(ctx), next - now, TimeUnit.NANOSECONDS);
        }
    }
}
