package dev.portico.acme;

import dev.portico.acme.renewal.AriWindow;
import dev.portico.tls.storage.Storage;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ACME directory as the scheduler uses it: a shared acme4j session (its nonce handling is
 * thread-safe since acme4j 4), the account, issuance and renewal information. Creating it does no
 * network I/O. Control plane only.
 */
final class AcmeClient {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeClient.class);
    private static final String ACCOUNT_DOES_NOT_EXIST = "urn:ietf:params:acme:error:accountDoesNotExist";

    private final AcmeOptions options;
    private final Session session;
    private final AccountStore accounts;
    private final CertificateIssuer issuer;

    AcmeClient(AcmeOptions options, Storage storage, Http01Challenges challenges, Clock clock) {
        this.options = options;
        this.session = AcmeDirectory.open(options);
        this.accounts = new AccountStore(options, storage);
        this.issuer = new CertificateIssuer(options, challenges, clock);
    }

    AccountStore accounts() {
        return accounts;
    }

    /** Orders a verified certificate for {@code names}, registering the account on first use. */
    ManagedCertificate issue(Set<String> names, Optional<X509Certificate> replacing)
            throws AcmeException, OrderFailedException, InterruptedException, IOException {
        Login login = accounts.login(session);
        try {
            return issuer.issue(login, names, replacing);
        } catch (AcmeServerException e) {
            if (!ACCOUNT_DOES_NOT_EXIST.equals(e.getType().toString())) {
                throw e;
            }
            // The CA forgot the account (staging reset, a test CA restarted): register the same key again.
            LOG.warn("acme account unknown to the CA, registering again directory={}", options.directory());
            return issuer.issue(accounts.reregister(session), names, replacing);
        }
    }

    /**
     * The CA's suggested renewal window for {@code leaf} (RFC 9773), or empty when the directory
     * offers no {@code renewalInfo}. Unauthenticated: needs no account.
     */
    Optional<Ari> renewalInfo(X509Certificate leaf) throws AcmeException, IOException {
        if (session.resourceUrlOptional(Resource.RENEWAL_INFO).isEmpty()) {
            return Optional.empty();
        }
        Login login = accounts.login(session);
        RenewalInfo info = login.bindRenewalInfo(leaf);
        Optional<Instant> retryAfter = info.fetch();
        return Optional.of(ari(info, retryAfter));
    }

    /** Reads the suggested window (RFC 9773 §4.2) as acme4j parsed it. */
    static Ari ari(RenewalInfo info, Optional<Instant> retryAfter) {
        return new Ari(new AriWindow(info.getSuggestedWindowStart(), info.getSuggestedWindowEnd()),
                retryAfter, info.getExplanation().map(Object::toString));
    }

    /** Renewal information as fetched: window, the server's Retry-After, and its explanation URL. */
    record Ari(AriWindow window, Optional<Instant> retryAfter, Optional<String> explanation) {}
}
