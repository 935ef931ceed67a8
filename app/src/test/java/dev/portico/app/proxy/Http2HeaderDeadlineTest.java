package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The frame scan of {@link Http2HeaderDeadline} on an {@link EmbeddedChannel}: which byte sequences
 * count as a preface or header block under way when its timer fires. The timeout is 1 ns, so whether
 * the connection closes depends only on that state when the loop's clock is moved past the timer.
 */
class Http2HeaderDeadlineTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private EmbeddedChannel channel;

    @AfterEach
    void releaseWhatPassed() {
        channel.finishAndReleaseAll();
    }

    @Test
    void closesWhileThePrefaceIsIncomplete() {
        channel = channel();
        channel.writeInbound(Unpooled.wrappedBuffer(PREFACE, 0, 10));
        assertClosedWhenTheTimerFires(channel, true, "10 of the preface's 24 bytes");
    }

    @Test
    void staysOpenBetweenCompleteFrames() {
        channel = afterPreface();
        channel.writeInbound(frame(0x4, 0, 0, 6)); // SETTINGS with one setting
        channel.writeInbound(frame(0x1, 0x4 | 0x1, 1, 5)); // HEADERS, END_HEADERS | END_STREAM
        channel.writeInbound(frame(0x0, 0, 1, 100)); // DATA
        assertClosedWhenTheTimerFires(channel, false, "nothing is under way");
        assertEquals(4, channel.inboundMessages().size(), "every buffer passed on");
        ByteBuf settings = (ByteBuf) channel.inboundMessages().toArray()[1];
        assertEquals(9 + 6, settings.readableBytes(), "untouched");
    }

    @Test
    void closesInsideAHeaderBlockWaitingForContinuation() {
        channel = afterPreface();
        channel.writeInbound(frame(0x1, 0x1, 1, 5)); // HEADERS without END_HEADERS
        channel.writeInbound(frame(0x9, 0, 1, 5)); // CONTINUATION, still no END_HEADERS
        assertClosedWhenTheTimerFires(channel, true, "a CONTINUATION with END_HEADERS is still due");
    }

    @Test
    void continuationWithEndHeadersEndsTheBlock() {
        channel = afterPreface();
        channel.writeInbound(frame(0x1, 0x1, 1, 5));
        channel.writeInbound(frame(0x9, 0x4, 1, 5));
        assertClosedWhenTheTimerFires(channel, false, "the block ended");
    }

    @Test
    void closesWhileTheLastFrameOfABlockHasNotAllArrived() {
        channel = afterPreface();
        // END_HEADERS, but 40 bytes of block to come: the frame header split over two reads, and only
        // part of the payload
        writeInPieces(frame(0x1, 0x4, 1, 40), 4, 20);
        assertClosedWhenTheTimerFires(channel, true, "25 of the block's 40 bytes");
    }

    @Test
    void closesWhileAFrameHeaderTricklesIn() {
        channel = afterPreface();
        writeInPieces(frame(0x0, 0, 1, 0), 3); // 3 of a DATA frame header's 9 bytes
        assertClosedWhenTheTimerFires(channel, true, "a frame header is under way");
    }

    @Test
    void aFrameThatIsNotAHeaderBlockEndsTheFrameHeaderWait() {
        channel = afterPreface();
        writeInPieces(frame(0x6, 0, 0, 8), 5, 12); // a PING in two reads, the second from mid-header
        assertClosedWhenTheTimerFires(channel, false, "a whole PING is not a header block");
    }

    private static EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new Http2HeaderDeadline(1)); // 1 ns: overdue whenever the timer runs
        return channel;
    }

    /** The channel with the whole client preface read. */
    private static EmbeddedChannel afterPreface() {
        EmbeddedChannel fresh = channel();
        fresh.writeInbound(Unpooled.wrappedBuffer(PREFACE));
        return fresh;
    }

    /** Writes the first {@code lengths} bytes of {@code frame} as consecutive reads, then drops it. */
    private void writeInPieces(ByteBuf frame, int... lengths) {
        int at = 0;
        for (int length : lengths) {
            channel.writeInbound(frame.retainedSlice(at, length));
            at += length;
        }
        frame.release();
    }

    private static void assertClosedWhenTheTimerFires(EmbeddedChannel channel, boolean closed, String why) {
        assertTrue(channel.isOpen(), "open before the timer runs");
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(closed, !channel.isOpen(), (closed ? "closed: " : "open: ") + why);
    }

    /** A frame header for a payload of {@code length} zero bytes, and the payload. */
    private static ByteBuf frame(int type, int flags, int stream, int length) {
        ByteBuf frame = Unpooled.buffer(9 + length);
        frame.writeMedium(length).writeByte(type).writeByte(flags).writeInt(stream).writeZero(length);
        return frame;
    }
}
