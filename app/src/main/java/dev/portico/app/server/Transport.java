package dev.portico.app.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket transport: Linux epoll when its native library loads (fewer copies and syscalls), else
 * Java NIO. Upstream connections use the same transport as the client channel they serve, since both
 * live on one event loop.
 */
public record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel) {

    /** epoll when available, else NIO. {@code PORTICO_TRANSPORT=nio} forces NIO. */
    public static Transport best() {
        boolean forceNio = "nio".equalsIgnoreCase(System.getenv("PORTICO_TRANSPORT"));
        if (!forceNio && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }

    /** A group of {@code threads} event loops named {@code prefix-N}; non-daemon: they keep the process alive. */
    public EventLoopGroup newGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, false), ioHandlers);
    }
}
