package dev.portico.acme;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ACME order for one set of names (RFC 8555 §7.4): create the order, answer HTTP-01 for every
 * authorization that is not already valid, finalize with a fresh key, download the chain and
 * verify it. Polls with {@code fetch()} at the configured interval (acme4j's own waits sleep 3 s when
 * the CA sends no Retry-After) and gives up at the order deadline.
 *
 * <p>Control plane only (an order-pool thread): blocks on the network for up to the order timeout.
 */
final class CertificateIssuer {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateIssuer.class);
    /** Longest pause between two polls even when the CA asks for more in Retry-After. */
    private static final Duration MAX_POLL_WAIT = Duration.ofSeconds(10);
    private static final String ALREADY_REPLACED = "urn:ietf:params:acme:error:alreadyReplaced";

    private final AcmeOptions options;
    private final Http01Challenges challenges;
    private final Clock clock;

    CertificateIssuer(AcmeOptions options, Http01Challenges challenges, Clock clock) {
        this.options = options;
        this.challenges = challenges;
        this.clock = clock;
    }

    /**
     * Orders, validates, finalizes and verifies a certificate for {@code names}. {@code replacing}
     * is the certificate it renews, announced with {@code replaces} (RFC 9773 §5) when the CA offers ARI.
     */
    ManagedCertificate issue(Login login, Set<String> names, Optional<X509Certificate> replacing)
            throws AcmeException, OrderFailedException, InterruptedException {
        long deadline = System.nanoTime() + options.orderTimeout().toNanos();
        Session session = login.getSession();
        OrderBuilder builder = newOrderBuilder(login, names);
        Order order;
        if (replacing.isPresent() && session.resourceUrlOptional(Resource.RENEWAL_INFO).isPresent()) {
            try {
                order = builder.replaces(replacing.get()).create();
            } catch (AcmeServerException e) {
                if (!ALREADY_REPLACED.equals(e.getType().toString())) {
                    throw e;
                }
                // RFC 9773 §5: an earlier order already replaces this certificate (e.g. it failed
                // after creation); order again as a plain new order.
                LOG.info("acme replaced certificate already has a replacement, ordering without replaces names={}", names);
                order = newOrderBuilder(login, names).create();
            }
        } else {
            order = builder.create();
        }
        LOG.info("acme ordered names={} order={}", names, order.getLocation());

        authorize(order, deadline);
        LOG.info("acme validated names={}", names);

        Status status = poll(order, Set.of(Status.READY, Status.VALID, Status.INVALID), deadline, "order");
        if (status == Status.INVALID) {
            throw invalidOrder(order);
        }
        KeyPair key = newCertificateKey();
        order.execute(key);
        status = poll(order, Set.of(Status.VALID, Status.INVALID), deadline, "order finalization");
        if (status == Status.INVALID) {
            throw invalidOrder(order);
        }
        List<X509Certificate> chain = order.getCertificate().getCertificateChain();
        return CertificateCheck.verify(chain, key.getPrivate(), names, clock.instant());
    }

    /** A new-order request for {@code names} with the configured profile when the CA offers it. */
    private OrderBuilder newOrderBuilder(Login login, Set<String> names) throws AcmeException {
        OrderBuilder builder = login.newOrder().domains(names);
        if (options.profile().isPresent()) {
            String profile = options.profile().get();
            Session session = login.getSession();
            if (session.getMetadata().isProfileAllowed(profile)) {
                builder.profile(profile);
            } else {
                LOG.warn("acme profile unsupported, ordering without it directory={} profile={} offered={}",
                        options.directory(), profile, session.getMetadata().getProfiles());
            }
        }
        return builder;
    }

    private void authorize(Order order, long deadline)
            throws AcmeException, OrderFailedException, InterruptedException {
        List<String> published = new ArrayList<>();
        try {
            List<Authorization> pending = new ArrayList<>();
            for (Authorization auth : order.getAuthorizations()) {
                Status status = auth.getStatus();
                if (status == Status.VALID) {
                    continue; // reused authorization (RFC 8555 §7.1.4): nothing to prove
                }
                if (status != Status.PENDING) {
                    throw invalidAuthorization(auth);
                }
                Http01Challenge challenge = auth.findChallenge(Http01Challenge.class)
                        .orElseThrow(() -> new OrderFailedException(OrderFailedException.Reason.CHALLENGE,
                                "the CA offers no http-01 challenge for " + auth.getIdentifier().getDomain()));
                if (challenge.getStatus() == Status.PENDING) {
                    challenges.add(challenge.getToken(), challenge.getAuthorization());
                    published.add(challenge.getToken());
                    challenge.trigger();
                }
                pending.add(auth);
            }
            for (Authorization auth : pending) {
                Status status = poll(auth, Set.of(Status.VALID, Status.INVALID, Status.DEACTIVATED,
                        Status.EXPIRED, Status.REVOKED), deadline, "authorization of " + auth.getIdentifier().getDomain());
                if (status != Status.VALID) {
                    throw invalidAuthorization(auth);
                }
            }
        } finally {
            published.forEach(challenges::remove);
        }
    }

    private Status poll(PollableResource resource, Set<Status> done, long deadline, String what)
            throws AcmeException, OrderFailedException, InterruptedException {
        Status status = resource.getStatus();
        while (!done.contains(status)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new OrderFailedException(OrderFailedException.Reason.TIMEOUT,
                        what + " still " + status + " after " + options.orderTimeout());
            }
            Duration wait = options.pollInterval();
            Optional<Instant> retryAfter = resource instanceof org.shredzone.acme4j.AcmeJsonResource r
                    ? r.getRetryAfter() : Optional.empty();
            if (retryAfter.isPresent()) {
                Duration asked = Duration.between(Instant.now(), retryAfter.get());
                if (asked.compareTo(wait) > 0) {
                    wait = asked.compareTo(MAX_POLL_WAIT) > 0 ? MAX_POLL_WAIT : asked;
                }
            }
            Thread.sleep(Math.max(1, Math.min(wait.toMillis(), left / 1_000_000)));
            resource.fetch();
            status = resource.getStatus();
        }
        return status;
    }

    private KeyPair newCertificateKey() {
        return switch (options.keyType()) {
            case ECDSA_P256 -> KeyPairUtils.createECKeyPair("secp256r1");
            case RSA_2048 -> KeyPairUtils.createKeyPair(2048);
        };
    }

    private static OrderFailedException invalidAuthorization(Authorization auth) {
        String name = auth.getIdentifier().getDomain();
        Optional<Problem> problem = auth.getChallenges().stream()
                .map(Challenge::getError).flatMap(Optional::stream).findFirst();
        return new OrderFailedException(OrderFailedException.Reason.CHALLENGE,
                "authorization of " + name + " is " + auth.getStatus()
                        + problem.flatMap(Problem::getDetail).map(d -> ": " + d).orElse(""),
                problem.orElse(null));
    }

    private static OrderFailedException invalidOrder(Order order) {
        Optional<Problem> problem = order.getError();
        return new OrderFailedException(OrderFailedException.Reason.ORDER,
                "order " + order.getLocation() + " is invalid"
                        + problem.flatMap(Problem::getDetail).map(d -> ": " + d).orElse(""),
                problem.orElse(null));
    }
}
