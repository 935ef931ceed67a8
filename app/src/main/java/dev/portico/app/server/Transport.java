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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport. On Linux io_uring when the kernel allows it: one {@code io_uring_enter}
 * submits a loop turn's sends and receives together, which on the bench cut CPU per keep-alive
 * request by about a third against epoll (bench/README.md). Where io_uring is missing or refused (kernels
 * before 5.14, container runtimes whose seccomp profile blocks it) epoll, else Java NIO. Upstream
 * connections use the same transport as the client channel they serve, since both live on one event
 * loop.
 */
public record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel) {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    private static final List<String> ORDER = List.of("io_uring", "epoll", "nio");

    /**
     * The first available of io_uring, epoll, NIO; {@code PORTICO_TRANSPORT} (one of those names) starts
     * the search further down the list, e.g. {@code epoll} to stay off io_uring.
     */
    public static Transport best() {
        return best(System.getenv("PORTICO_TRANSPORT"));
    }

    /** As {@link #best()}, starting the search at {@code preferred} (null or blank: at the top). */
    public static Transport best(String preferred) {
        int start = 0;
        if (preferred != null && !preferred.isBlank()) {
            start = ORDER.indexOf(preferred.strip().toLowerCase(Locale.ROOT));
            if (start < 0) {
                throw new IllegalArgumentException("PORTICO_TRANSPORT: '" + preferred + "' (expected one of " + String.join(", ", ORDER) + ")");
            }
        }
        for (String name : ORDER.subList(start, ORDER.size())) {
            Transport transport = ifAvailable(name);
            if (transport != null) {
                return transport;
            }
        }
        throw new IllegalStateException("unreachable: NIO is always available");
    }

    private static Transport ifAvailable(String name) {
        switch (name) {
            case "io_uring":
                if (IoUring.isAvailable()) {
                    return new Transport(name, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
                }
                LOG.debug("transport io_uring unavailable reason={}", String.valueOf(IoUring.unavailabilityCause()));
                return null;
            case "epoll":
                if (Epoll.isAvailable()) {
                    return new Transport(name, EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
                }
                LOG.debug("transport epoll unavailable reason={}", String.valueOf(Epoll.unavailabilityCause()));
                return null;
            default:
                return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
        }
    }

    /** A group of {@code threads} event loops named {@code prefix-N}; non-daemon: they keep the process alive. */
    public EventLoopGroup newGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, false), ioHandlers);
    }
}
