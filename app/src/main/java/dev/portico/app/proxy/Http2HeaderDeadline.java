package dev.portico.app.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/2 form of the header timeout (slowloris): the client preface must arrive within
 * {@code headerTimeout} of the connection's start, and every header block (a HEADERS or PUSH_PROMISE
 * frame and its CONTINUATION frames, up to the end of the frame that carries END_HEADERS) within
 * {@code headerTimeout} of its first byte; so must each frame header; else the connection is closed. Netty's frame codec buffers
 * an incomplete block without a deadline, RFC 9113 allows no other frame on the connection meanwhile,
 * and any byte resets the keep-alive idle timer, so before this a client could hold a connection and
 * a partial header list for ever by sending a byte every minute.
 *
 * <p>Sits before the frame codec and reads only the 9-byte frame headers of the decrypted stream,
 * skipping payloads by their length; the bytes pass on untouched. One timer per connection, armed when
 * a block starts and none is pending, so a block that completes in time costs no scheduling.
 *
 * <p>One per HTTP/2 connection; event loop only.
 */
final class Http2HeaderDeadline extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Http2HeaderDeadline.class);
    /** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 3.4); its content is the codec's to check. */
    private static final int PREFACE_BYTES = 24;
    private static final int FRAME_HEADER_BYTES = 9;
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_PUSH_PROMISE = 0x5;
    private static final int TYPE_CONTINUATION = 0x9;
    private static final int FLAG_END_HEADERS = 0x4;

    private final long timeoutNanos;
    private final byte[] frameHeader = new byte[FRAME_HEADER_BYTES];
    private int frameHeaderFill;
    private int prefaceLeft = PREFACE_BYTES;
    private long payloadLeft;
    /** A preface or header block is under way: it started at {@link #blockStart}. */
    private boolean inBlock;
    /** The frame whose payload is being skipped carries END_HEADERS: the block ends with its last byte. */
    private boolean blockEndsWithPayload;
    /** The block under way is only a frame header so far (a frame of any type could follow). */
    private boolean openedByFrameHeader;
    private long blockStart;
    private ScheduledFuture<?> timer;

    Http2HeaderDeadline(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        startBlock(ctx); // the preface
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            scan(ctx, bytes);
        }
        ctx.fireChannelRead(msg);
    }

    private void scan(ChannelHandlerContext ctx, ByteBuf bytes) {
        int at = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (at < end) {
            if (prefaceLeft > 0) {
                int taken = Math.min(prefaceLeft, end - at);
                prefaceLeft -= taken;
                at += taken;
                if (prefaceLeft == 0) {
                    inBlock = false;
                }
            } else if (payloadLeft > 0) {
                int taken = (int) Math.min(payloadLeft, end - at);
                payloadLeft -= taken;
                at += taken;
                if (payloadLeft == 0 && blockEndsWithPayload) {
                    inBlock = false;
                    blockEndsWithPayload = false;
                }
            } else {
                if (frameHeaderFill == 0 && !inBlock) {
                    startBlock(ctx); // a frame header trickled in byte by byte is held to the deadline too
                    openedByFrameHeader = true;
                }
                frameHeader[frameHeaderFill++] = bytes.getByte(at++);
                if (frameHeaderFill == FRAME_HEADER_BYTES) {
                    frameHeaderFill = 0;
                    boolean openedHere = openedByFrameHeader;
                    openedByFrameHeader = false;
                    frameStarted(ctx, openedHere);
                }
            }
        }
    }

    /** A frame header is complete; {@code openedHere}: the block under way began with its first byte. */
    private void frameStarted(ChannelHandlerContext ctx, boolean openedHere) {
        payloadLeft = (frameHeader[0] & 0xff) << 16 | (frameHeader[1] & 0xff) << 8 | (frameHeader[2] & 0xff);
        int type = frameHeader[3] & 0xff;
        boolean endHeaders = (frameHeader[4] & FLAG_END_HEADERS) != 0;
        if (type == TYPE_HEADERS || type == TYPE_PUSH_PROMISE) {
            if (!openedHere) {
                startBlock(ctx); // else the block already started with this frame's first byte
            }
        } else if (type != TYPE_CONTINUATION) {
            if (openedHere) {
                inBlock = false; // DATA, SETTINGS, PING...: not a header block (inside one, the codec's error)
            }
            return;
        }
        if (endHeaders) {
            if (payloadLeft == 0) {
                inBlock = false;
            } else {
                blockEndsWithPayload = true;
            }
        }
    }

    private void startBlock(ChannelHandlerContext ctx) {
        inBlock = true;
        blockStart = System.nanoTime();
        if (timer == null) {
            arm(ctx, timeoutNanos);
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (!inBlock || !ctx.channel().isActive()) {
            return;
        }
        long late = System.nanoTime() - blockStart - timeoutNanos;
        if (late < 0) {
            arm(ctx, -late); // a later block started after this timer was armed
            return;
        }
        LOG.debug("event=h2_header_timeout channel={} remote={} waiting_for={}", ctx.channel().id(),
                ctx.channel().remoteAddress(), prefaceLeft > 0 ? "preface" : frameHeaderFill > 0 ? "frame header" : "header block");
        ctx.close(); // straight to the socket: a GOAWAY cannot go out in the middle of the client's block
    }
}
