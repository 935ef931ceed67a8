package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a backend connection while it sits idle in the pool: anything the upstream
 * sends then is unsolicited, so the connection is closed; idle expiry and closes remove it from the
 * pool. Event loop only.
 */
final class PooledConnectionHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private final Upstream upstream;

    PooledConnectionHandler(UpstreamPool pool, Upstream upstream) {
        this.pool = pool;
        this.upstream = upstream;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pool != null) {
            pool.remove(ctx.channel(), upstream);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
