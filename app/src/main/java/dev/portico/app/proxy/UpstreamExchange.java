package dev.portico.app.proxy;

import io.netty.handler.codec.http.HttpContent;

/**
 * The backend side of one proxied request as {@link FrontendHandler} drives it: {@link Exchange} over an
 * HTTP/1.1 connection, or {@link H2cExchange} over a stream of an HTTP/2 cleartext connection. Both
 * answer through the frontend's {@code responseHead}, {@code responseDone}, {@code exchangeFailed} and
 * {@code truncate}. Event loop of the client channel only.
 */
interface UpstreamExchange {
    /** Starts connecting; client reads pause until the backend can take the request. */
    void start();

    /** Passes request body content on (or queues it while connecting); takes ownership. */
    void requestContent(HttpContent content);

    /** Flushes what the client handed over in this read. */
    void flushRequest();

    /** The client's writability changed: backend reads follow it. */
    void clientWritabilityChanged();

    /** The client went away or broke framing: drop the backend side. */
    void abort();
}
