package dev.portico.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.junit.jupiter.api.Test;

/** Which transport {@code PORTICO_TRANSPORT} and the machine lead to. */
class TransportTest {
    private static final String EXPECTED_DEFAULT = Epoll.isAvailable() ? "epoll" : "nio";

    @Test
    void unsetOrBlankTakesEpollElseNio() {
        assertEquals(EXPECTED_DEFAULT, Transport.best(null).name());
        assertEquals(EXPECTED_DEFAULT, Transport.best(" ").name());
    }

    @Test
    void ioUringIsTakenOnlyWhenAskedForAndFallsBackToEpoll() {
        Transport asked = Transport.best("io_uring");
        assertEquals(IoUring.isAvailable() ? "io_uring" : EXPECTED_DEFAULT, asked.name());
        assertEquals(IoUring.isAvailable() ? IoUringServerSocketChannel.class : Transport.best(null).serverChannel(),
                asked.serverChannel());
    }

    @Test
    void aNamedTransportStartsTheSearchThereAndCaseDoesNotMatter() {
        assertEquals(Epoll.isAvailable() ? "epoll" : "nio", Transport.best("EPOLL").name());
        Transport nio = Transport.best("nio");
        assertEquals("nio", nio.name());
        assertEquals(NioServerSocketChannel.class, nio.serverChannel());
    }

    @Test
    void serverChannelMatchesTheTransport() {
        Transport best = Transport.best(null);
        Class<?> expected = switch (best.name()) {
            case "epoll" -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
        assertEquals(expected, best.serverChannel());
    }

    @Test
    void anUnknownNameIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.best("kqueue"));
        assertEquals("PORTICO_TRANSPORT: 'kqueue' (expected one of io_uring, epoll, nio)", e.getMessage());
    }
}
