/**
 * The TLS policy (versions, suites, ALPN, session tickets) and the factory that builds every server
 * {@link io.netty.handler.ssl.SslContext} to it. Control plane only.
 */
package dev.portico.tls.policy;
