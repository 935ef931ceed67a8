/**
 * Pure decisions of the renewal scheduler, each a function of explicit instants and a random source
 * so tests pin its boundaries: when to renew ({@link dev.portico.acme.renewal.RenewalPolicy}), how
 * long to wait after a classified failure ({@link dev.portico.acme.renewal.Backoff},
 * {@link dev.portico.acme.renewal.FailureKind}), and when the CA's rate limits allow the next order
 * ({@link dev.portico.acme.renewal.OrderHistory}, {@link dev.portico.acme.renewal.OrderLimits}).
 * No I/O, no acme4j; any thread.
 */
package dev.portico.acme.renewal;
