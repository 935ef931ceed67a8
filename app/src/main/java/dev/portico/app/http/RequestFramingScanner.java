package dev.portico.app.http;

import io.netty.buffer.ByteBuf;

/**
 * A byte-at-a-time HTTP/1.1 request scanner that decides, before Netty's lenient decoder sees a byte,
 * whether a request's framing is unambiguous (RFC 9112 sections 2.2, 3, 5, 6, 7.1 and 11). It never
 * copies or changes bytes: it only says where the head ends, where the message ends, or which status
 * a violation earns. Rules, each a smuggling vector when relaxed:
 * <ul>
 *   <li>Lines end in CRLF; a bare LF or bare CR is rejected (2.2).</li>
 *   <li>Method is a token, target is visible ASCII, version is {@code HTTP/1.0} or {@code HTTP/1.1},
 *       separated by single spaces (3); a longer request line gets 414.</li>
 *   <li>A field line starting with SP/HTAB (obs-fold, 5.2), whitespace before the colon (5.1), an
 *       empty name or a control character in a value (5.5) is rejected; a head larger than the
 *       limit gets 431.</li>
 *   <li>Content-Length must be one decimal value (no sign, no list); with Transfer-Encoding it is
 *       rejected (6.3); Transfer-Encoding must end in {@code chunked} (else 400, 6.3) and other codings
 *       are not implemented (501, 6.1); it is rejected on HTTP/1.0 (6.1).</li>
 *   <li>HTTP/1.1 needs exactly one Host; more than one is rejected in any version (RFC 9110 7.2).</li>
 *   <li>Chunk sizes are 1 to 16 hex digits up to 2^31-1 (what Netty's decoder parses), optionally
 *       followed by extensions; chunk data ends in CRLF (7.1).</li>
 * </ul>
 *
 * <p>Event loop only (one instance per connection, not thread-safe).
 */
final class RequestFramingScanner {
    /** Result of {@link #scan}: where it stopped and why. */
    enum Stop { NEED_MORE, HEAD_COMPLETE, MESSAGE_COMPLETE, VIOLATION }

    private static final int MAX_LEADING_CRLF = 4;
    private static final int MAX_LOGGED_METHOD = 32;
    private static final int MAX_CHUNK_LINE = 4096;
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private enum State {
        LEADING, METHOD, TARGET, VERSION, LINE_LF,
        FIELD_START, FIELD_NAME, FIELD_VALUE, FIELD_LF, HEAD_LF,
        FIXED_BODY, CHUNK_SIZE, CHUNK_BWS, CHUNK_EXT, CHUNK_SIZE_LF, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF,
        DONE, FAILED
    }

    private enum Field { OTHER, CONTENT_LENGTH, TRANSFER_ENCODING, HOST }

    private final int maxRequestLine;
    private final int maxHeaderBytes;

    private State state;
    private int lineBytes;
    private int headerBytes;
    private int leadingCrlf;
    private boolean sawLeadingCr;
    private boolean trailers;
    private final StringBuilder method = new StringBuilder(16);
    private boolean methodRead;
    private final StringBuilder version = new StringBuilder(8);
    private final StringBuilder name = new StringBuilder(32);
    private final StringBuilder value = new StringBuilder(64);
    private Field field;
    private int hostCount;
    private int contentLengthCount;
    private long contentLength;
    private boolean contentLengthInvalid;
    private final StringBuilder transferEncoding = new StringBuilder();
    private boolean hasTransferEncoding;
    private long remaining;
    private int chunkDigits;
    private int status;
    private String reason;

    RequestFramingScanner(int maxRequestLine, int maxHeaderBytes) {
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderBytes = maxHeaderBytes;
        reset();
    }

    /** Prepares for the next request on the connection. */
    void reset() {
        state = State.LEADING;
        lineBytes = 0;
        headerBytes = 0;
        leadingCrlf = 0;
        sawLeadingCr = false;
        trailers = false;
        method.setLength(0);
        methodRead = false;
        version.setLength(0);
        hostCount = 0;
        contentLengthCount = 0;
        contentLength = -1;
        contentLengthInvalid = false;
        transferEncoding.setLength(0);
        hasTransferEncoding = false;
        remaining = 0;
        status = 0;
        reason = null;
    }

    /** True while the request head (request line and fields) is not complete. */
    boolean inHead() {
        return state.ordinal() <= State.HEAD_LF.ordinal();
    }

    /** True once the whole request, body included, has been scanned. */
    boolean messageComplete() {
        return state == State.DONE;
    }

    /** True when nothing of the current request has been seen yet (between requests). */
    boolean idle() {
        return state == State.LEADING && leadingCrlf == 0 && !sawLeadingCr;
    }

    /** The status a violation earns (400, 414, 431, 501, 505), valid after {@link Stop#VIOLATION}. */
    int status() {
        return status;
    }

    /** A fixed description of the violation (never client input), valid after {@link Stop#VIOLATION}. */
    String reason() {
        return reason;
    }

    /** The request method once the request line got past it (for the access log), else {@code -}. */
    String methodOrDash() {
        return methodRead && method.length() <= MAX_LOGGED_METHOD ? method.toString() : "-";
    }

    /**
     * Scans {@code buf} from {@code from} (inclusive) towards {@code to} and returns the index after the
     * last byte consumed; {@link #lastStop()} says why it stopped. Stops right after the head, after the
     * message, at a violation, or at {@code to}.
     */
    int scan(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to) {
            switch (state) {
                case FIXED_BODY -> {
                    long n = Math.min(remaining, to - i);
                    i += (int) n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DONE;
                        stop = Stop.MESSAGE_COMPLETE;
                        return i;
                    }
                    continue;
                }
                case CHUNK_DATA -> {
                    long n = Math.min(remaining, to - i);
                    i += (int) n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_CR;
                    }
                    continue;
                }
                case DONE, FAILED -> {
                    stop = state == State.DONE ? Stop.MESSAGE_COMPLETE : Stop.VIOLATION;
                    return i;
                }
                default -> { }
            }
            int b = buf.getByte(i++) & 0xFF;
            Stop s = step(b);
            if (s != null) {
                stop = s;
                return i;
            }
        }
        stop = Stop.NEED_MORE;
        return i;
    }

    private Stop stop = Stop.NEED_MORE;

    /** Why the last {@link #scan} returned. */
    Stop lastStop() {
        return stop;
    }

    private Stop step(int b) {
        switch (state) {
            case LEADING -> {
                // RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line.
                if (sawLeadingCr) {
                    if (b != '\n') {
                        return fail(400, "bare CR");
                    }
                    sawLeadingCr = false;
                    if (++leadingCrlf > MAX_LEADING_CRLF) {
                        return fail(400, "too many empty lines before the request line");
                    }
                    return null;
                }
                if (b == '\r') {
                    sawLeadingCr = true;
                    return null;
                }
                state = State.METHOD;
                return step(b);
            }
            case METHOD -> {
                if (++lineBytes > maxRequestLine) {
                    return fail(414, "request line too long");
                }
                if (b == ' ' && method.length() > 0) {
                    methodRead = true;
                    state = State.TARGET;
                    return null;
                }
                if (!TCHAR[b]) {
                    return fail(400, "invalid character in method");
                }
                method.append((char) b);
                return null;
            }
            case TARGET -> {
                if (++lineBytes > maxRequestLine) {
                    return fail(414, "request line too long");
                }
                if (b == ' ') {
                    if (lineBytes == method.length() + 2) {
                        return fail(400, "empty request target");
                    }
                    state = State.VERSION;
                    return null;
                }
                if (b < 0x21 || b > 0x7E) {
                    return fail(400, "invalid character in request target");
                }
                return null;
            }
            case VERSION -> {
                if (++lineBytes > maxRequestLine) {
                    return fail(414, "request line too long");
                }
                if (b == '\r') {
                    if (!sameChars(version, "HTTP/1.1", false) && !sameChars(version, "HTTP/1.0", false)) {
                        return version.toString().matches("HTTP/[0-9]\\.[0-9]")
                                ? fail(505, "HTTP version not supported")
                                : fail(400, "invalid HTTP version");
                    }
                    state = State.LINE_LF;
                    return null;
                }
                if (version.length() >= 8 || b < 0x21 || b > 0x7E) {
                    return fail(400, "invalid HTTP version");
                }
                version.append((char) b);
                return null;
            }
            case LINE_LF, FIELD_LF -> {
                if (b != '\n') {
                    return fail(400, "bare CR");
                }
                if (state == State.FIELD_LF) {
                    Stop s = endField();
                    if (s != null) {
                        return s;
                    }
                }
                state = State.FIELD_START;
                return null;
            }
            case FIELD_START -> {
                if (countHeader() != null) {
                    return stop;
                }
                if (b == '\r') {
                    state = State.HEAD_LF;
                    return null;
                }
                if (b == ' ' || b == '\t') {
                    return fail(400, "obsolete line folding");
                }
                if (b == ':') {
                    return fail(400, "empty field name");
                }
                if (b == '\n') {
                    return fail(400, "bare LF");
                }
                name.setLength(0);
                state = State.FIELD_NAME;
                return step(b);
            }
            case FIELD_NAME -> {
                if (countHeader() != null) {
                    return stop;
                }
                if (b == ':') {
                    field = classify();
                    value.setLength(0);
                    state = State.FIELD_VALUE;
                    return null;
                }
                if (b == ' ' || b == '\t') {
                    return fail(400, "whitespace between field name and colon");
                }
                if (!TCHAR[b]) {
                    return fail(400, "invalid character in field name");
                }
                if (name.length() < 32) {
                    name.append((char) b);
                } else {
                    name.setLength(33); // longer than any name we look at
                }
                return null;
            }
            case FIELD_VALUE -> {
                if (countHeader() != null) {
                    return stop;
                }
                if (b == '\r') {
                    state = State.FIELD_LF;
                    return null;
                }
                if (b == '\n') {
                    return fail(400, "bare LF");
                }
                if ((b < 0x20 && b != '\t') || b == 0x7F) {
                    return fail(400, "control character in field value");
                }
                if (field != Field.OTHER) {
                    value.append((char) b);
                }
                return null;
            }
            case HEAD_LF -> {
                if (b != '\n') {
                    return fail(400, "bare CR");
                }
                return trailers ? complete() : endHead();
            }
            case CHUNK_SIZE -> {
                int digit = Character.digit(b, 16);
                if (digit >= 0) {
                    if (++chunkDigits > 16) {
                        return fail(400, "invalid chunk size");
                    }
                    remaining = remaining * 16 + digit;
                    if (remaining > Integer.MAX_VALUE) {
                        return fail(400, "chunk size too large");
                    }
                    return null;
                }
                if (chunkDigits == 0) {
                    return fail(400, "invalid chunk size");
                }
                return afterChunkSize(b);
            }
            case CHUNK_BWS -> {
                if (++lineBytes > MAX_CHUNK_LINE) {
                    return fail(400, "chunk line too long");
                }
                if (b == ' ' || b == '\t') {
                    return null;
                }
                if (b == ';') {
                    state = State.CHUNK_EXT;
                    return null;
                }
                return fail(400, "invalid chunk size");
            }
            case CHUNK_EXT -> {
                if (++lineBytes > MAX_CHUNK_LINE) {
                    return fail(400, "chunk line too long");
                }
                if (b == '\r') {
                    state = State.CHUNK_SIZE_LF;
                    return null;
                }
                if ((b < 0x20 && b != '\t') || b == 0x7F) {
                    return fail(400, "invalid chunk extension");
                }
                return null;
            }
            case CHUNK_SIZE_LF -> {
                if (b != '\n') {
                    return fail(400, "bare CR");
                }
                if (remaining == 0) {
                    // Last chunk: a trailer section follows, same field rules as the head (7.1.2).
                    trailers = true;
                    headerBytes = 0;
                    state = State.FIELD_START;
                    return null;
                }
                state = State.CHUNK_DATA;
                return null;
            }
            case CHUNK_DATA_CR -> {
                if (b != '\r') {
                    return fail(400, "missing CRLF after chunk data");
                }
                state = State.CHUNK_DATA_LF;
                return null;
            }
            case CHUNK_DATA_LF -> {
                if (b != '\n') {
                    return fail(400, "missing CRLF after chunk data");
                }
                startChunk();
                return null;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private Stop afterChunkSize(int b) {
        lineBytes = chunkDigits;
        if (b == '\r') {
            state = State.CHUNK_SIZE_LF;
            return null;
        }
        if (b == ';') {
            state = State.CHUNK_EXT;
            return null;
        }
        if (b == ' ' || b == '\t') {
            state = State.CHUNK_BWS; // BWS is allowed only before ';' (7.1.1)
            return null;
        }
        return fail(400, "invalid chunk size");
    }

    private Stop countHeader() {
        if (++headerBytes > maxHeaderBytes) {
            stop = fail(431, "request header fields too large");
            return stop;
        }
        return null;
    }

    private Field classify() {
        if (sameChars(name, "content-length", true)) {
            return Field.CONTENT_LENGTH;
        }
        if (sameChars(name, "transfer-encoding", true)) {
            return Field.TRANSFER_ENCODING;
        }
        if (sameChars(name, "host", true)) {
            return Field.HOST;
        }
        return Field.OTHER;
    }

    /**
     * {@code chars} equals {@code expected}, ASCII letters compared without case when {@code ignoreCase}
     * ({@code expected} then in lower case). Compares in place: every field name passes here, and a
     * String per name would be garbage per request.
     */
    private static boolean sameChars(CharSequence chars, String expected, boolean ignoreCase) {
        if (chars.length() != expected.length()) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            char c = chars.charAt(i);
            if (ignoreCase && c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private Stop endField() {
        if (trailers) {
            return null;
        }
        switch (field) {
            case HOST -> hostCount++;
            case CONTENT_LENGTH -> {
                contentLengthCount++;
                String v = ows(value);
                if (v.isEmpty() || v.length() > 18) {
                    contentLengthInvalid = true;
                    return null;
                }
                for (int k = 0; k < v.length(); k++) {
                    if (v.charAt(k) < '0' || v.charAt(k) > '9') {
                        contentLengthInvalid = true; // signs, hex, lists and inner spaces alike
                        return null;
                    }
                }
                contentLength = Long.parseLong(v);
            }
            case TRANSFER_ENCODING -> {
                hasTransferEncoding = true;
                if (transferEncoding.length() > 0) {
                    transferEncoding.append(',');
                }
                transferEncoding.append(value);
            }
            default -> { }
        }
        return null;
    }

    private Stop endHead() {
        boolean http10 = sameChars(version, "HTTP/1.0", false);
        if (hostCount > 1) {
            return fail(400, "more than one Host header");
        }
        if (hostCount == 0 && !http10) {
            return fail(400, "missing Host header");
        }
        if (contentLengthCount > 1) {
            return fail(400, "more than one Content-Length");
        }
        if (contentLengthInvalid) {
            return fail(400, "invalid Content-Length");
        }
        if (hasTransferEncoding) {
            if (http10) {
                return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (contentLengthCount > 0) {
                return fail(400, "both Content-Length and Transfer-Encoding");
            }
            String[] codings = transferEncoding.toString().split(",", -1);
            String last = ows(codings[codings.length - 1]);
            if (!last.equalsIgnoreCase("chunked")) {
                return fail(400, "chunked is not the final transfer coding");
            }
            for (int k = 0; k < codings.length - 1; k++) {
                String coding = ows(codings[k]);
                if (coding.isEmpty() || coding.equalsIgnoreCase("chunked")) {
                    return fail(400, "invalid Transfer-Encoding");
                }
            }
            if (codings.length > 1) {
                return fail(501, "transfer coding not implemented");
            }
            startChunk();
            return Stop.HEAD_COMPLETE;
        }
        if (contentLength > 0) {
            remaining = contentLength;
            state = State.FIXED_BODY;
            return Stop.HEAD_COMPLETE;
        }
        state = State.DONE;
        return Stop.HEAD_COMPLETE;
    }

    private void startChunk() {
        remaining = 0;
        chunkDigits = 0;
        lineBytes = 0;
        state = State.CHUNK_SIZE;
    }

    private Stop complete() {
        state = State.DONE;
        return Stop.MESSAGE_COMPLETE;
    }

    private Stop fail(int code, String why) {
        state = State.FAILED;
        status = code;
        reason = why;
        return Stop.VIOLATION;
    }

    /** Strips optional whitespace (SP, HTAB) around a field value (RFC 9110 5.5). */
    private static String ows(CharSequence s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.subSequence(start, end).toString();
    }
}
