package dev.portico.app.http;

/**
 * User event fired by {@link StrictFramingHandler} as it answers a request itself, with raw bytes that
 * the handlers above never see (malformed framing before anything was passed on, or a head not
 * received in time), just before writing them: the exchange observer records it, so that these
 * answers show in the metrics and the access log like any other, with a duration of about 0 (the
 * observer never saw the request start).
 *
 * @param method the request's method when the request line was read, else {@code -}
 * @param bodyBytes the length of the answer's body, as the access log counts it for other responses
 */
public record RequestRejected(int status, String method, int bodyBytes) {}
