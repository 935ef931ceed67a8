package dev.portico.app.http;

/**
 * User event fired by {@link StrictFramingHandler} when a request body turns out malformed after its
 * head was passed on (a bad chunk size, a missing CRLF after chunk data). The handler above answers
 * {@code status} if no response has started, else closes; nothing more is read either way.
 *
 * @param reason a fixed description, never client input
 */
public record FramingViolation(int status, String reason) {}
