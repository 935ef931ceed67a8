package dev.portico.app.proxy;

import dev.portico.app.config.CertificateSource;
import dev.portico.app.config.Cidr;
import dev.portico.app.config.Origin;
import dev.portico.app.config.Route;
import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.app.config.ServerLimits;
import dev.portico.app.routing.RouteTable;
import dev.portico.app.server.Transport;
import dev.portico.tls.sni.HostPattern;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The proxy under test: HTTPS and port-80 listeners on 127.0.0.1:0 with swappable settings. */
final class ProxyFixture implements AutoCloseable {
    final EventLoopGroup group;
    final ProxyServices services;
    final Map<String, String> acme = new ConcurrentHashMap<>();
    private final Channel https;
    private final Channel http;
    private volatile FrontendSettings settings;

    ProxyFixture(List<Route> routes) {
        this(routes, ServerLimits.DEFAULTS, List.of(), 2);
    }

    ProxyFixture(List<Route> routes, ServerLimits limits, List<Cidr> trusted, int threads) {
        this(routes, limits, trusted, threads, TestTls.INSTANCE.front());
    }

    ProxyFixture(List<Route> routes, ServerLimits limits, List<Cidr> trusted, int threads,
                 java.util.function.Function<io.netty.channel.socket.SocketChannel, io.netty.channel.ChannelHandler> tls) {
        this(routes, limits, trusted, threads, tls, Transport.best(), ProxyServices.create(Clock.systemUTC()));
    }

    /**
     * On {@code transport}'s event loops and server channels, with {@code services}. The other
     * constructors take the transport production picks ({@link Transport#best()}: io_uring here).
     */
    ProxyFixture(List<Route> routes, ServerLimits limits, List<Cidr> trusted, int threads,
                 java.util.function.Function<io.netty.channel.socket.SocketChannel, io.netty.channel.ChannelHandler> tls,
                 Transport transport, ProxyServices services) {
        settings = new FrontendSettings(RouteTable.of(routes), trusted, limits);
        group = transport.newGroup(threads, "proxy-fixture");
        this.services = services;
        https = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new HttpsInitializer(tls, () -> settings, services))
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        int httpsPort = ((InetSocketAddress) https.localAddress()).getPort();
        http = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new HttpInitializer(() -> settings, services, acme::get, httpsPort))
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    int httpsPort() {
        return ((InetSocketAddress) https.localAddress()).getPort();
    }

    int httpPort() {
        return ((InetSocketAddress) http.localAddress()).getPort();
    }

    void routes(List<Route> routes) {
        settings = new FrontendSettings(RouteTable.of(routes), settings.trustedProxies(), settings.limits());
    }

    ProxyCounters counters() {
        return services.counters();
    }

    static Route proxy(String host, String prefix, RouteOptions options, int... ports) {
        List<RouteAction.Upstream> upstreams = new java.util.ArrayList<>();
        for (int port : ports) {
            upstreams.add(new RouteAction.Upstream(URI.create("http://127.0.0.1:" + port), "127.0.0.1", port, false));
        }
        return route(host, prefix, new RouteAction.Proxy(upstreams), options);
    }

    static Route proxy(String host, int... ports) {
        return proxy(host, "/", RouteOptions.DEFAULTS, ports);
    }

    static Route route(String host, String prefix, RouteAction action, RouteOptions options) {
        return new Route(HostPattern.parse(host), prefix, action, new CertificateSource.Internal(), options, Origin.NONE);
    }

    @Override
    public void close() {
        https.close().syncUninterruptibly();
        http.close().syncUninterruptibly();
        services.pool().close(); // the resolvers' channels close on live loops
        services.h2c().close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
