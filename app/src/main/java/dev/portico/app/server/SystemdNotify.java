package dev.portico.app.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.bootstrap.Bootstrap;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd the service is ready ({@code Type=notify}): one {@code READY=1} datagram to the unix
 * socket named by {@code NOTIFY_SOCKET}, sent with Netty's epoll domain datagram channel so no native
 * code of ours is needed. Does nothing when the variable is unset (not under systemd).
 */
final class SystemdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);

    private SystemdNotify() {}

    /** Control plane: blocks until the datagram is written (milliseconds). */
    static void ready() {
        send("READY=1\nSTATUS=serving\n");
    }

    static void send(String state) {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return;
        }
        if (!Epoll.isAvailable()) {
            LOG.warn("systemd notify skipped reason=epoll unavailable socket={}", socket);
            return;
        }
        // An abstract socket name starts with '@'; the kernel spells it with a leading NUL byte.
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    })
                    .connect(new DomainSocketAddress(path)).syncUninterruptibly().channel();
            channel.writeAndFlush(Unpooled.copiedBuffer(state, StandardCharsets.UTF_8)).syncUninterruptibly();
            channel.close().syncUninterruptibly();
        } catch (RuntimeException e) {
            LOG.warn("systemd notify failed socket={} error={}", socket, e.toString());
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
