package dev.portico.app.proxy;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.InetSocketAddress;

/**
 * Non-blocking name resolution for upstream connects. Netty's default resolver calls
 * {@code InetAddress.getByName} on the event loop, which blocks it for as long as DNS takes; upstreams
 * named by host name (a Kubernetes Service such as {@code app.default.svc}) would stall every
 * connection on that loop. These resolvers read {@code /etc/resolv.conf} and {@code /etc/hosts} and
 * query asynchronously on the loop itself, caching answers by their TTL. IP literals never query.
 *
 * <p>One group per transport, since the resolver's datagram channel must match the loop's transport.
 * Thread-safe; groups make one resolver per event loop.
 */
final class UpstreamResolvers {
    private final AddressResolverGroup<InetSocketAddress> nio =
            new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(NioDatagramChannel.class));
    private volatile AddressResolverGroup<InetSocketAddress> epoll;

    /** The group for connects made from {@code client}'s event loop. */
    AddressResolverGroup<InetSocketAddress> forChannel(Channel client) {
        if (client instanceof EpollSocketChannel) {
            AddressResolverGroup<InetSocketAddress> group = epoll;
            if (group == null) {
                synchronized (this) {
                    if (epoll == null) {
                        epoll = new DnsAddressResolverGroup(
                                new DnsNameResolverBuilder().datagramChannelType(EpollDatagramChannel.class));
                    }
                    group = epoll;
                }
            }
            return group;
        }
        return nio;
    }
}
