package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.config.RouteAction.Upstream;
import dev.portico.tls.testing.Await;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The keep-alive pool on real loopback sockets: a returned connection is handed out again, one left
 * idle is closed after the pool's idle timeout (the backend sees the close) and leaves the pool, and
 * the upstream's entry goes once its last connection closed.
 */
@Timeout(20)
class UpstreamPoolTest {
    private static final Duration POOL_IDLE = Duration.ofMillis(300);

    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    private ServerSocket backend;
    private Upstream upstream;
    private final UpstreamPool pool = new UpstreamPool(4, POOL_IDLE);

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        // A client connection of the proxy's own, to lend the pool its event loop and transport.
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        client = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        upstream = new Upstream(URI.create("http://127.0.0.1:" + backend.getLocalPort()), "127.0.0.1", backend.getLocalPort(), false);
    }

    @AfterEach
    void stop() throws Exception {
        client.close().sync();
        server.close().sync();
        backend.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return client.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
    }

    private UpstreamConnection connectAndRelease() throws Exception {
        Channel ch = pool.connect(client, upstream, Duration.ofSeconds(2)).sync().channel();
        UpstreamConnection connection = UpstreamPool.connectionOf(ch);
        onLoop(() -> {
            pool.release(connection);
            return null;
        });
        return connection;
    }

    @Test
    void aReleasedConnectionIsHandedOutAgain() throws Exception {
        UpstreamConnection released = connectAndRelease();
        try (Socket accepted = backend.accept()) {
            UpstreamConnection again = onLoop(() -> pool.poll(client.eventLoop(), upstream));
            assertSame(released, again, "the idle connection is reused, not a new one made");
            assertTrue(again.channel().isActive(), "and it is still open");
            assertNull(onLoop(() -> pool.poll(client.eventLoop(), upstream)), "it left the pool when handed out");
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterThePoolIdleTimeoutAndLeavesThePool() throws Exception {
        long released = System.nanoTime();
        UpstreamConnection connection = connectAndRelease();
        try (Socket accepted = backend.accept()) {
            accepted.setSoTimeout(5_000);
            assertEquals(-1, accepted.getInputStream().read(), "the pool closed the idle connection (the backend reads EOF)");
            long waited = System.nanoTime() - released;
            assertTrue(waited >= POOL_IDLE.toNanos(), "not before the idle timeout: closed after " + waited / 1_000_000 + " ms");
            connection.channel().closeFuture().sync();
            assertNull(onLoop(() -> pool.poll(client.eventLoop(), upstream)), "the closed connection is gone from the pool");
            // channelInactive runs on the loop just after the close future completes
            Await.until(Duration.ofSeconds(5), "the upstream's entry leaves with its last connection",
                    () -> onLoop(() -> pool.upstreamsHeld(client.eventLoop())) == 0);
        }
    }

    @Test
    void anUpstreamWhoseLastConnectionClosedWhileLentOutIsForgotten() throws Exception {
        UpstreamConnection connection = connectAndRelease();
        try (Socket accepted = backend.accept()) {
            CountDownLatch ownerHeard = new CountDownLatch(1);
            assertSame(connection, onLoop(() -> {
                UpstreamConnection lent = pool.poll(client.eventLoop(), upstream);
                lent.own(new InactiveOnlyOwner(ownerHeard), Duration.ofSeconds(30).toNanos());
                return lent;
            }), "lent out");
            assertEquals(1, onLoop(() -> pool.upstreamsHeld(client.eventLoop())), "an empty deque stays while the connection is out");
            accepted.close(); // the upstream goes away, as after a reload that dropped it
            assertTrue(ownerHeard.await(5, TimeUnit.SECONDS), "the exchange holding it hears of the close");
            Await.until(Duration.ofSeconds(5), "nothing is kept for an upstream without connections",
                    () -> onLoop(() -> pool.upstreamsHeld(client.eventLoop())) == 0);
        }
    }

    /** An exchange stand-in that only listens for the close. */
    private record InactiveOnlyOwner(CountDownLatch inactive) implements UpstreamConnection.Owner {
        @Override
        public void backendRead(Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void backendReadComplete() {}

        @Override
        public void backendWritabilityChanged(boolean writable) {}

        @Override
        public void backendInactive() {
            inactive.countDown();
        }

        @Override
        public void backendIdle() {}

        @Override
        public void backendHeadTimeout() {}
    }
}
