package dev.portico.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.app.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LingeringClose} on real loopback sockets: the answer, then FIN; what the client still sends
 * reaches no handler; the connection closes when the client does, when it goes quiet, or at the total
 * limit however busy it is. Short limits here; production's are nginx's 5 s and 30 s.
 */
@Timeout(30)
class LingeringCloseTimeoutsTest {
    private static final long IDLE_MILLIS = 300;
    private static final long TOTAL_MILLIS = 1_200;

    private EventLoopGroup group;
    private Channel server;
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
    private final AtomicLong bytesPassedOn = new AtomicLong();
    private volatile long answeredNanos;

    @BeforeEach
    void start() {
        Transport transport = Transport.best();
        group = transport.newGroup(1, "linger-test");
        server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                answeredNanos = System.nanoTime();
                                LingeringClose.afterWrite(ctx.writeAndFlush(Unpooled.copiedBuffer("answer\n", StandardCharsets.US_ASCII)),
                                        TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS), TimeUnit.MILLISECONDS.toNanos(TOTAL_MILLIS));
                                accepted.complete(ctx.channel());
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                bytesPassedOn.addAndGet(((ByteBuf) msg).readableBytes());
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aQuietClientGetsTheAnswerAndFinThenTheConnectionClosesAfterTheIdleLimit() throws Exception {
        try (Socket client = connect()) {
            assertEquals("answer\n", readToEof(client), "the answer, then FIN");
            Channel channel = accepted.get(5, TimeUnit.SECONDS);
            assertTrue(channel.closeFuture().await(5, TimeUnit.SECONDS), "closed once the client was quiet");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredNanos);
            assertTrue(millis >= IDLE_MILLIS && millis < TOTAL_MILLIS, "closed at the idle limit, not before: " + millis + " ms");
        }
    }

    @Test
    void aClientThatKeepsSendingIsDroppedAtTheTotalLimitAndNothingReachesTheHandlers() throws Exception {
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        try (Socket client = connect()) {
            assertEquals("answer\n", readToEof(client)); // FIN: the lingering has begun
            OutputStream out = client.getOutputStream();
            byte[] block = new byte[1024];
            sender.scheduleAtFixedRate(() -> {
                try {
                    out.write(block);
                } catch (IOException e) {
                    throw new RuntimeException(e); // the proxy closed: stop sending
                }
            }, 0, IDLE_MILLIS / 6, TimeUnit.MILLISECONDS);
            Channel channel = accepted.get(5, TimeUnit.SECONDS);
            assertTrue(channel.closeFuture().await(10, TimeUnit.SECONDS), "closed at the total limit");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredNanos);
            assertTrue(millis >= TOTAL_MILLIS, "a busy client is read until the total limit: " + millis + " ms");
            assertEquals(0, bytesPassedOn.get(), "lingering bytes are dropped before any handler");
        } finally {
            sender.shutdownNow();
        }
    }

    @Test
    void theConnectionClosesAsSoonAsTheClientDoes() throws Exception {
        try (Socket client = connect()) {
            assertEquals("answer\n", readToEof(client));
            Channel channel = accepted.get(5, TimeUnit.SECONDS);
            long closedAt = System.nanoTime();
            client.close();
            assertTrue(channel.closeFuture().await(5, TimeUnit.SECONDS), "closed after the client's FIN");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
            assertTrue(millis < IDLE_MILLIS, "not held until the idle limit: " + millis + " ms");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String readToEof(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
}
