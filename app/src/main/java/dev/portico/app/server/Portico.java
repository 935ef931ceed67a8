package dev.portico.app.server;

import dev.portico.acme.AcmeOptions;
import dev.portico.acme.CertificateListener;
import dev.portico.acme.Http01Challenges;
import dev.portico.acme.RenewalScheduler;
import dev.portico.app.admin.AdminHandler;
import dev.portico.app.admin.AdminInitializer;
import dev.portico.app.certificates.CertificateReport;
import dev.portico.app.certificates.HostCertificates;
import dev.portico.app.config.AcmeSettings;
import dev.portico.app.config.PorticoConfig;
import dev.portico.app.config.Route;
import dev.portico.app.config.RouteAction;
import dev.portico.app.config.TlsSettings;
import dev.portico.app.observe.Metrics;
import dev.portico.app.proxy.FrontendSettings;
import dev.portico.app.proxy.HttpInitializer;
import dev.portico.app.proxy.HttpsInitializer;
import dev.portico.app.proxy.ProxyServices;
import dev.portico.tls.internalca.InternalCa;
import dev.portico.tls.policy.ServerContextFactory;
import dev.portico.tls.policy.TlsPolicy;
import dev.portico.tls.policy.TlsProvider;
import dev.portico.tls.sni.CertificateStore;
import dev.portico.tls.sni.HostPattern;
import dev.portico.tls.sni.SniCertificateHandler;
import dev.portico.tls.storage.DirectoryStorage;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running process: builds the object graph by hand in start order (storage, TLS contexts, the
 * live certificate store, certificate sources, listeners) and stops it in reverse. See
 * ARCHITECTURE.md for what runs where: listeners on event loops, everything else on the control
 * plane executor or the ACME threads.
 */
public final class Portico implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Portico.class);

    private final Clock clock;
    private final ScheduledExecutorService control;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final Metrics metrics;
    private final ProxyServices services;
    private final HostCertificates certificates;
    private final Optional<RenewalScheduler> acme;
    private final CertificateStore store;
    private final List<Channel> listeners = new ArrayList<>();
    private volatile FrontendSettings settings;
    private volatile PorticoConfig config;
    private volatile boolean ready;
    private InetSocketAddress httpsAddress;
    private Optional<InetSocketAddress> httpAddress = Optional.empty();
    private Optional<InetSocketAddress> adminAddress = Optional.empty();

    private Portico(PorticoConfig config, Clock clock) throws IOException {
        this.clock = clock;
        this.config = config;
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
        SecureRandom random = new SecureRandom();
        DirectoryStorage storage = new DirectoryStorage(config.storage());
        ServerContextFactory contexts = new ServerContextFactory(
                TlsPolicy.defaults().withProvider(provider(config.tls()))
                        .withApplicationProtocols(List.of("h2", "http/1.1")), clock, random);
        this.store = new CertificateStore();
        InternalCa internalCa = InternalCa.loadOrCreate(storage, clock, random);
        Http01Challenges challenges = new Http01Challenges();
        CertificateListener installer = issued -> {
            try {
                List<HostPattern> names = issued.names().stream().map(HostPattern::parse).toList();
                store.install(names, contexts.serve(issued.pair(), "acme"));
            } catch (Exception e) {
                LOG.error("certificate install failed names={} error={}", issued.names(), e.toString());
            }
        };
        this.acme = config.acme().map(a -> RenewalScheduler.create(acmeOptions(a), storage, challenges, installer));
        this.certificates = new HostCertificates(store, contexts, internalCa, acme, clock,
                InternalCa.DEFAULT_LEAF_LIFETIME);
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portico-control");
            t.setDaemon(true);
            return t;
        });
        this.metrics = new Metrics().withJvmMetrics();
        this.services = ProxyServices.create(clock, metrics);
        metrics.bindLiveState(services.counters()::inFlight, services.counters()::openTunnels, store::installed,
                () -> acme.map(RenewalScheduler::states).orElse(List.of()));
        this.settings = FrontendSettings.from(config);
        Transport transport = Transport.best();
        this.acceptors = transport.newGroup(1, "portico-accept");
        this.workers = transport.newGroup(0, "portico-io");

        try {
            certificates.apply(config);
            control.scheduleWithFixedDelay(this::renewInternal, 1, 1, TimeUnit.HOURS);
            control.scheduleWithFixedDelay(contexts::rotateTicketKeysIfDue, 1, 1, TimeUnit.MINUTES);

            HttpsInitializer https = new HttpsInitializer(
                    ch -> (ChannelHandler) new SniCertificateHandler(store), () -> settings, services);
            httpsAddress = bind(transport, config.listen().https(), https);
            if (config.listen().http().isPresent()) {
                // Redirects name the port clients reach HTTPS on: behind NAT or a Service it is not ours.
                int redirectPort = config.listen().publicHttpsPort().orElse(httpsAddress.getPort());
                HttpInitializer http = new HttpInitializer(() -> settings, services, challenges::keyAuthorization,
                        redirectPort);
                httpAddress = Optional.of(bind(transport, config.listen().http().get(), http));
            }
            if (config.listen().admin().isPresent()) {
                AdminHandler admin = new AdminHandler(() -> ready,
                        () -> CertificateReport.json(store.installed(), acme.map(RenewalScheduler::states).orElse(List.of())),
                        metrics::scrape);
                adminAddress = Optional.of(bind(transport, config.listen().admin().get(), new AdminInitializer(admin)));
            }
        } catch (IOException | RuntimeException e) {
            // A failed start (a port in use) must not leave event loops and watchers running.
            releaseAfterFailedStart();
            throw e;
        }
        ready = true;
        LOG.info("portico started https={} http={} admin={} transport={} tls={} routes={} internalRoot={}",
                httpsAddress, httpAddress.map(Object::toString).orElse("off"),
                adminAddress.map(Object::toString).orElse("off"), transport.name(), contexts.provider(),
                config.routes().size(), storage.pathOf(InternalCa.ROOT_CERTIFICATE));
    }

    /**
     * Starts serving {@code config}: returns once every listener is bound. Certificates that exist
     * serve at once; missing ACME certificates are ordered in the background.
     */
    public static Portico start(PorticoConfig config, Clock clock) throws IOException {
        return new Portico(config, clock);
    }

    /**
     * Swaps in a new configuration: routes for the next request on every connection, certificates
     * for new hosts, removal of hosts no longer routed. Listener addresses and storage are fixed at
     * start. Control plane only.
     */
    public synchronized void reload(PorticoConfig next) {
        if (!next.listen().equals(config.listen()) || !next.storage().equals(config.storage())) {
            LOG.warn("config reload keeps listen and storage as started; restart to change them listen={} storage={}",
                    config.listen(), config.storage());
        }
        settings = FrontendSettings.from(next);
        services.balancer().retainOnly(next.routes().stream()
                .map(Route::action)
                .filter(RouteAction.Proxy.class::isInstance)
                .map(action -> ((RouteAction.Proxy) action).upstreams())
                .toList());
        certificates.apply(next);
        config = next;
    }

    public InetSocketAddress httpsAddress() {
        return httpsAddress;
    }

    public Optional<InetSocketAddress> httpAddress() {
        return httpAddress;
    }

    public Optional<InetSocketAddress> adminAddress() {
        return adminAddress;
    }

    public CertificateStore certificateStore() {
        return store;
    }

    public Metrics metrics() {
        return metrics;
    }

    public ProxyServices services() {
        return services;
    }

    public PorticoConfig config() {
        return config;
    }

    /**
     * Stops gracefully: readiness turns false, listeners stop accepting, in-flight requests and open
     * tunnels get the configured grace period, then everything closes. Blocks: call from a control
     * thread (e.g. the shutdown hook).
     */
    @Override
    public void close() {
        ready = false;
        // From now on every response says Connection: close and its connection closes when done.
        services.counters().startDraining();
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        Duration grace = config.limits().shutdownGrace();
        Instant deadline = clock.instant().plus(grace);
        while ((services.counters().inFlight() > 0 || services.counters().openTunnels() > 0)
                && clock.instant().isBefore(deadline)) {
            try {
                Thread.sleep(20); // a shutdown drain loop with a deadline, not a test wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int abandoned = services.counters().inFlight() + services.counters().openTunnels();
        acme.ifPresent(RenewalScheduler::close);
        certificates.close();
        control.shutdownNow();
        services.pool().close();
        services.h2c().close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        LOG.info("portico stopped abandoned={}", abandoned);
    }

    private void releaseAfterFailedStart() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        acme.ifPresent(RenewalScheduler::close);
        certificates.close();
        control.shutdownNow();
        services.pool().close();
        services.h2c().close();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private InetSocketAddress bind(Transport transport, InetSocketAddress address, ChannelHandler initializer)
            throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(initializer);
        try {
            Channel channel = bootstrap.bind(address).syncUninterruptibly().channel();
            listeners.add(channel);
            return (InetSocketAddress) channel.localAddress();
        } catch (Exception e) {
            throw new IOException("cannot listen on " + address + ": " + e.getMessage()
                    + (address.getPort() < 1024 ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : ""), e);
        }
    }

    private void renewInternal() {
        try {
            certificates.renewInternalLeaves();
        } catch (RuntimeException e) {
            LOG.error("internal certificate renewal failed error={}", e.toString());
        }
    }

    private static TlsProvider provider(TlsSettings tls) {
        return switch (tls.provider()) {
            case AUTO -> TlsProvider.AUTO;
            case OPENSSL -> TlsProvider.OPENSSL;
            case JDK -> TlsProvider.JDK;
        };
    }

    static AcmeOptions acmeOptions(AcmeSettings a) {
        AcmeOptions options = AcmeOptions.of(a.directory().toString(), a.email(), a.agreeToTerms())
                .withKeyType(a.keyType());
        if (a.caBundle().isPresent()) {
            options = options.withCaBundle(a.caBundle().get());
        }
        if (a.eab().isPresent()) {
            options = options.withEab(a.eab().get());
        }
        if (a.profile().isPresent()) {
            options = options.withProfile(a.profile().get());
        }
        return options;
    }
}
