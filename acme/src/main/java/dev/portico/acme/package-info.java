/**
 * Certificates that renew themselves over ACME (RFC 8555, with RFC 9773 renewal information).
 *
 * <p>The public surface, wired by the app in start order:
 * <pre>{@code
 * Http01Challenges challenges = new Http01Challenges();       // port-80 listener: challenges.keyAuthorization(token)
 * RenewalScheduler acme = RenewalScheduler.create(
 *         AcmeOptions.of("acme://letsencrypt.org", "ops@example.com", true),
 *         storage, challenges, certificate -> store.install(...)); // CertificateListener, control plane
 * acme.manage(Set.of("example.com", "www.example.com"));      // loads a stored certificate at once, orders in the background
 * acme.states();                                              // CertificateState per set, for the admin endpoint
 * acme.close();                                               // on shutdown, after the listeners
 * }</pre>
 *
 * <p>Storage layout: {@code acme/<directory-id>/account.key} (secret), {@code account.url} and
 * {@code order-history.txt} (what the client-side rate limits count, kept across restarts);
 * {@code certificates/<primary-name>/chain.pem}, {@code key.pem} (secret), {@code meta.json}.
 * Pure decisions (when to renew, how long to back off, what the client-side rate limits allow) live
 * in {@link dev.portico.acme.renewal}.
 */
package dev.portico.acme;
