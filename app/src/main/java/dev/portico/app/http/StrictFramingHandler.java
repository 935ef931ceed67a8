package dev.portico.app.http;

import dev.portico.app.config.ServerLimits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sits below Netty's HTTP decoder and lets through only bytes whose framing
 * {@link RequestFramingScanner} found unambiguous; it also serializes requests and owns the
 * connection's request timers.
 * <ul>
 *   <li>A request head is held until it is complete and valid, then passed on whole; body bytes
 *       stream through as they are checked; the head waits until everything that arrived with it has
 *       been checked too. A violation before any byte of the request was passed on is answered here
 *       with raw bytes (no response can be in progress, see the gate), {@code Connection: close},
 *       flush, close. A violation later in a streamed body fires {@link FramingViolation} for the
 *       handler above to answer.</li>
 *   <li>The gate: after a complete request nothing more is passed on (bytes are held) until
 *       {@link #nextRequest} says its response is done, so pipelined requests are answered strictly in
 *       order and an error for request N+1 can never interleave with response N. Reading goes on while
 *       the gate is closed (a client that waits for its answer sends nothing, and toggling the socket's
 *       read interest would cost two {@code epoll_ctl} calls per request); it stops only once more than
 *       {@link #MAX_HELD_WHILE_GATED} bytes are held.</li>
 *   <li>Timers: the whole head must arrive within {@code headerTimeout} of its first byte (or of the
 *       connection's start), else {@code 408} and close (slowloris); a connection idle between requests
 *       longer than {@code keepAliveTimeout} is closed silently. One deadline per connection, checked by
 *       a timer that ticks at most every {@code headerTimeout}, so a request moves the deadline without
 *       scheduling or cancelling a task.</li>
 * </ul>
 *
 * <p>One per client connection; event loop only.
 */
public final class StrictFramingHandler extends ChannelInboundHandlerAdapter {
    /** Pipelined bytes held behind a closed gate before reading stops (a few requests' worth). */
    static final int MAX_HELD_WHILE_GATED = 64 * 1024;

    private final RequestFramingScanner scanner;
    private final ServerLimits limits;
    private final ReadSuspension reads;

    private ChannelHandlerContext ctx;
    private ByteBuf held;
    private int scannedAhead;
    private boolean gated;
    private boolean failed;
    private boolean bytesSeen;
    private boolean forwardedThisRequest;
    /** When the current deadline passes ({@link System#nanoTime}); 0 when there is none. */
    private long deadline;
    private boolean deadlineIsHead;
    private ScheduledFuture<?> timer;
    private long timerAt;

    public StrictFramingHandler(ServerLimits limits, ReadSuspension reads) {
        this.limits = limits;
        this.reads = reads;
        this.scanner = new RequestFramingScanner(limits.maxRequestLine(), limits.maxHeaderBytes());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            armHeaderTimer();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armHeaderTimer();
        ctx.fireChannelActive();
    }

    /** Event loop: cumulates and scans; never blocks. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed) {
            in.release();
            return;
        }
        held = held == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, in);
        drain();
        stopReadingIfFlooded();
    }

    /** A pipelining flood behind the closed gate: hold no more until it opens. */
    private void stopReadingIfFlooded() {
        if (gated && held != null && held.readableBytes() > MAX_HELD_WHILE_GATED) {
            reads.suspend(ReadSuspension.GATE);
        }
    }

    /**
     * Opens the gate: the response to the current request is complete and the connection stays open.
     * Pipelined bytes already held are scanned and passed on now. Event loop only; call it last.
     */
    public void nextRequest() {
        if (failed || !gated) {
            return;
        }
        gated = false;
        bytesSeen = false;
        forwardedThisRequest = false;
        scanner.reset();
        reads.resume(ReadSuspension.GATE);
        if (held != null && held.isReadable()) {
            drain();
            stopReadingIfFlooded();
            ctx.fireChannelReadComplete();
        } else {
            setDeadline(limits.keepAliveTimeout().toNanos(), false);
        }
    }

    /** True while bytes of a pipelined request wait behind the gate. Event loop only. */
    public boolean holdsBytes() {
        return held != null && held.isReadable();
    }

    /**
     * Leaves the pipeline after a {@code 101}: bytes held after the upgrade request are not HTTP and
     * are passed to the next handler as they are. Event loop only.
     */
    public void handOver() {
        clearDeadline();
        ByteBuf rest = held;
        held = null;
        ctx.pipeline().remove(this);
        if (rest != null) {
            if (rest.isReadable()) {
                ctx.fireChannelRead(rest);
                ctx.fireChannelReadComplete();
            } else {
                rest.release();
            }
        }
        reads.resume(ReadSuspension.GATE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cleanUp();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cleanUp();
    }

    private void drain() {
        while (!gated && !failed && held != null && scannedAhead < held.readableBytes()) {
            if (!bytesSeen) {
                bytesSeen = true;
                setDeadline(limits.headerTimeout().toNanos(), true);
            }
            int from = held.readerIndex() + scannedAhead;
            int end = scanner.scan(held, from, held.writerIndex());
            scannedAhead = end - held.readerIndex();
            switch (scanner.lastStop()) {
                case VIOLATION -> {
                    violation();
                    return;
                }
                case NEED_MORE -> {
                    if (!scanner.inHead()) {
                        forward();
                    }
                    return;
                }
                case HEAD_COMPLETE -> {
                    // Keep scanning what already arrived before passing the head on: a body that breaks
                    // within the same read is then refused here and no byte of it reaches a backend.
                    clearDeadline();
                    if (scanner.messageComplete()) {
                        closeGate(); // before forwarding: an answer made synchronously may reopen it
                        forward();
                    }
                }
                case MESSAGE_COMPLETE -> {
                    closeGate();
                    forward();
                }
            }
        }
        if (!failed && !gated && held != null && !scanner.inHead()) {
            forward(); // a head (and body bytes) checked up to the end of what arrived
        }
    }

    private void forward() {
        int n = scannedAhead;
        if (n > 0) {
            forwardedThisRequest = true;
            ByteBuf slice = held.readRetainedSlice(n);
            scannedAhead = 0;
            if (!held.isReadable()) {
                held.release();
                held = null;
            }
            ctx.fireChannelRead(slice);
        }
    }

    private void closeGate() {
        gated = true;
    }

    private void violation() {
        failed = true;
        reads.suspend(ReadSuspension.FAILED);
        releaseHeld();
        clearDeadline();
        if (!forwardedThisRequest) {
            answer(scanner.status(), scanner.reason());
        } else {
            ctx.fireUserEventTriggered(new FramingViolation(scanner.status(), scanner.reason()));
        }
    }

    /**
     * Answers and closes, lingering (the client may be sending still); the observer above is told
     * first, as it sees no request and no response. Event loop.
     */
    private void answer(int status, String reason) {
        ctx.fireUserEventTriggered(new RequestRejected(status, scanner.methodOrDash(), ErrorResponses.bodyLength(status, reason)));
        LingeringClose.afterWrite(ctx.writeAndFlush(ErrorResponses.raw(status, reason)));
    }

    private void armHeaderTimer() {
        if (deadline == 0 && !failed) {
            setDeadline(limits.headerTimeout().toNanos(), true);
        }
    }

    private void setDeadline(long nanos, boolean head) {
        long now = System.nanoTime();
        deadline = now + nanos;
        deadlineIsHead = head;
        if (timer == null || timerAt - deadline > 0) {
            schedule(now, deadline);
        }
    }

    private void clearDeadline() {
        deadline = 0; // the timer, if any, finds nothing due and stops
    }

    /** Fires at {@code at}, or earlier: never later than one header timeout from now (see the class comment). */
    private void schedule(long now, long at) {
        if (timer != null) {
            timer.cancel(false);
        }
        long delay = Math.min(at - now, limits.headerTimeout().toNanos());
        timerAt = now + delay;
        timer = ctx.executor().schedule(this::tick, delay, TimeUnit.NANOSECONDS);
    }

    private void tick() {
        timer = null;
        if (deadline == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - deadline < 0) {
            schedule(now, deadline);
            return;
        }
        deadline = 0;
        expire(deadlineIsHead);
    }

    private void expire(boolean head) {
        if (failed || gated || !ctx.channel().isActive()) {
            return;
        }
        failed = true;
        releaseHeld();
        if (head && bytesSeen && scanner.inHead()) {
            answer(408, "request head not received in time");
        } else if (scanner.inHead()) {
            ctx.close(); // idle: nothing of a request arrived
        } else {
            failed = false; // the head arrived meanwhile; body pacing is the exchange's business
        }
    }

    private void cancelTimer() {
        deadline = 0;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
            scannedAhead = 0;
        }
    }

    private void cleanUp() {
        cancelTimer();
        releaseHeld();
    }
}
