package dev.portico.app.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

/** The admin listener's pipeline: codec, small aggregator (requests are tiny), {@link AdminHandler}. */
public final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    private final AdminHandler handler;

    public AdminInitializer(AdminHandler handler) {
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("idle", new ReadTimeoutHandler(30))
                .addLast("codec", new HttpServerCodec(4096, 8192, 8192))
                .addLast("aggregator", new HttpObjectAggregator(8192))
                .addLast("admin", handler);
    }
}
