package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;

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
    /** By the datagram channel class of the transport. */
    private final ConcurrentHashMap<Class<? extends DatagramChannel>, AddressResolverGroup<InetSocketAddress>> groups =
            new ConcurrentHashMap<>();
    private final DnsServerAddressStreamProvider nameServers;

    /** Name servers from /etc/resolv.conf. */
    UpstreamResolvers() {
        this(DnsServerAddressStreamProviders.platformDefault());
    }

    /** Tests: name servers of their own. */
    UpstreamResolvers(DnsServerAddressStreamProvider nameServers) {
        this.nameServers = nameServers;
    }

    /**
     * Gives {@code bootstrap} the resolver for a connect from {@code client}'s event loop to
     * {@code upstream} and returns the address to connect to. An IP literal needs no resolver (making
     * one would leave a DNS channel that never registers, and a warning when it is closed).
     */
    SocketAddress prepare(Bootstrap bootstrap, Channel client, Upstream upstream) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(upstream.host());
        if (literal == null) {
            bootstrap.resolver(forChannel(client));
            return InetSocketAddress.createUnresolved(upstream.host(), upstream.port());
        }
        bootstrap.resolver(NoopAddressResolverGroup.INSTANCE);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(upstream.host(), literal), upstream.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + upstream.host(), e); // NetUtil checked the length
        }
    }

    /**
     * The group for connects made from {@code client}'s event loop. An HTTP/2 stream's transport is its
     * connection's: a stream is no socket, and taken for one it would get NIO's resolver on an epoll or
     * io_uring loop, where the resolver's channel cannot register.
     */
    private AddressResolverGroup<InetSocketAddress> forChannel(Channel client) {
        Channel socket = socketOf(client);
        Class<? extends DatagramChannel> datagrams = socket instanceof IoUringSocketChannel ? IoUringDatagramChannel.class
                : socket instanceof EpollSocketChannel ? EpollDatagramChannel.class
                : NioDatagramChannel.class;
        return groups.computeIfAbsent(datagrams,
                type -> new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(type)
                        .nameServerProvider(nameServers)));
    }

    /**
     * The socket under {@code client}: itself, or an HTTP/2 stream's connection. Its class names the
     * event loop's transport, which an upstream connect from {@code client} must use too.
     */
    static Channel socketOf(Channel client) {
        return client instanceof Http2StreamChannel stream ? stream.parent() : client;
    }

    /**
     * Closes every resolver, and with it its datagram channel. Call before the event loops shut down:
     * left to the loops' termination, each close runs on a dead loop and logs a stack trace. Any thread.
     */
    void close() {
        groups.values().forEach(AddressResolverGroup::close);
    }
}
