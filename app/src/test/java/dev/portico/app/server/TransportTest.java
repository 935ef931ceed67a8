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
    private static final String EXPECTED_BEST = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";

    @Test
    void unsetOrBlankTakesTheFirstAvailableOfIoUringEpollNio() {
        assertEquals(EXPECTED_BEST, Transport.best(null).name());
        assertEquals(EXPECTED_BEST, Transport.best(" ").name());
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
            case "io_uring" -> IoUringServerSocketChannel.class;
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
