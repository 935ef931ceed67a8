package dev.portico.app.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits that apply before a request is routed, so they are per listener rather than per route.
 *
 * @param maxRequestLine longer request lines are answered {@code 414}
 * @param maxHeaderBytes larger header sections are answered {@code 431}
 * @param headerTimeout the whole request head must arrive within this (slowloris); else {@code 408} and close;
 *     on HTTP/2, the client preface and each header block, else the connection closes
 * @param keepAliveTimeout an idle client connection between requests is closed after this
 * @param shutdownGrace on SIGTERM, in-flight requests and upgraded tunnels get this long before they are closed
 */
public record ServerLimits(
        int maxRequestLine,
        int maxHeaderBytes,
        Duration headerTimeout,
        Duration keepAliveTimeout,
        Duration shutdownGrace) {

    public static final ServerLimits DEFAULTS = new ServerLimits(
            8 * 1024, 32 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(75), Duration.ofSeconds(30));

    public ServerLimits {
        if (maxRequestLine <= 0) {
            throw new IllegalArgumentException("maxRequestLine: " + maxRequestLine + " (expected: > 0)");
        }
        if (maxHeaderBytes <= 0) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: > 0)");
        }
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }
}
