package dev.portico.app.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Relays raw bytes of an upgraded connection (WebSocket or any protocol after {@code 101}) to its peer
 * channel, stopping reads while the peer cannot take more (HexDumpProxy's pattern). A close or a
 * half-close on either side closes both, and so does the tunnel's {@link TunnelIdle}; nothing here
 * parses frames. Both sides run on one event loop.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final TunnelIdle idle;
    private final Runnable onClose;

    /** {@code idle} is shared by both sides; {@code onClose} runs once per side when this side's channel closes. */
    TunnelHandler(Channel peer, TunnelIdle idle, Runnable onClose) {
        this.peer = peer;
        this.idle = idle;
        this.onClose = onClose;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (!peer.isActive()) {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable() && peer.isActive()) {
            peer.write(buf, peer.voidPromise());
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        } else {
            ReferenceCountUtil.release(msg); // e.g. the empty last content of the 101
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        idle.readOnce();
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.stop();
        onClose.run();
        closePeer();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            ctx.close();
            closePeer();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void closePeer() {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
