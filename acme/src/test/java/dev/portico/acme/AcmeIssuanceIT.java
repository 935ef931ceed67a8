package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertPathValidator;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issuance against a real Pebble: first order, restart, and racing first orders. */
class AcmeIssuanceIT {
    @RegisterExtension
    static final PebbleExtension PEBBLE = new PebbleExtension();
    private static final Duration ISSUE = Duration.ofSeconds(20);

    @Test
    void fromEmptyStorageIssuesAVerifiedCertificateForTwoNames() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        RecordingListener listener = new RecordingListener();
        Set<String> names = Set.of("a.test", "b.test");
        try (RenewalScheduler scheduler = scheduler(storage, listener)) {
            scheduler.manage(names);
            ManagedCertificate cert = listener.await(c -> c.names().equals(names), ISSUE, "a certificate for a.test, b.test");

            assertEquals(Set.of("a.test", "b.test"), CertificateCheck.dnsNames(cert.pair().leaf()),
                    "the leaf's subjectAltName covers exactly the two ordered names");
            var path = CertificateFactory.getInstance("X.509").generateCertPath(cert.pair().chain());
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(PEBBLE.root(), null)));
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(path, params); // throws when the chain does not verify
            assertTrue(storage.load("certificates/a.test/chain.pem").isPresent(), "the chain is stored for restarts");
            assertTrue(storage.isSecret("certificates/a.test/key.pem"), "the certificate key is stored as a secret");
            assertEquals(0, PEBBLE.challenges().size(), "no token stays published after the order");
            CertificateState state = scheduler.states().get(0);
            assertEquals(Optional.of(cert.serialHex()), state.serial(), "operators see the serial being served");
            assertEquals(Optional.empty(), state.lastError(), "no error after a success");
            assertTrue(state.nextRenewal().orElseThrow().isAfter(cert.notBefore().plus(Duration.ofDays(365))),
                    "a 5-year Pebble certificate is not due for years");
        }
    }

    @Test
    void restartReusesAccountAndStoredCertificateWithoutOrdering() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        Set<String> names = Set.of("restart.test");
        RecordingListener first = new RecordingListener();
        ManagedCertificate issued;
        try (RenewalScheduler scheduler = scheduler(storage, first)) {
            scheduler.manage(names);
            issued = first.await(c -> true, ISSUE, "the first certificate for restart.test");
        }
        String accountUrl = new String(storage.load(accountUrlKey()).orElseThrow());
        long accounts = PEBBLE.requests("POST", "/sign-me-up");
        long orders = PEBBLE.requests("POST", "/order-plz");

        RecordingListener second = new RecordingListener();
        try (RenewalScheduler restarted = scheduler(storage, second)) {
            restarted.manage(names);
            assertEquals(List.of(issued.serial()), second.all().stream().map(ManagedCertificate::serial).toList(),
                    "the stored certificate is handed over before manage() returns, without waiting for the CA");
            // Let the background renewal-information check (no ARI in Pebble 2.4) run to completion.
            RecordingListener.awaitCondition(restarted::settled, Duration.ofSeconds(10),
                    "the restarted scheduler finishes its background renewal-information check");
            assertTrue(restarted.states().get(0).nextRenewal().orElseThrow().isAfter(Instant.now().plus(Duration.ofDays(365))),
                    "the stored 5-year certificate is not due");
            AccountStore accountsAfter = new AccountStore(PEBBLE.options(), storage);
            assertEquals(accountUrl, new String(storage.load(accountsAfter.urlPath()).orElseThrow()),
                    "the account URL is unchanged");
        }
        assertEquals(accounts, PEBBLE.requests("POST", "/sign-me-up"), "a restart creates no account");
        assertEquals(orders, PEBBLE.requests("POST", "/order-plz"), "a restart creates no order for a valid certificate");
    }

    @Test
    void racingFirstOrdersCreateExactlyOneAccountWhichLaterOrdersReuse() throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                InMemoryStorage storage = new InMemoryStorage();
                long accountsBefore = PEBBLE.requests("POST", "/sign-me-up");
                RecordingListener listener = new RecordingListener();
                // Two schedulers sharing one storage stand for two processes (or a restart race).
                try (RenewalScheduler one = scheduler(storage, listener); RenewalScheduler two = scheduler(storage, listener)) {
                    CountDownLatch go = new CountDownLatch(1);
                    Set<String> x = Set.of("race" + round + "-x.test");
                    Set<String> y = Set.of("race" + round + "-y.test");
                    Future<?> fx = starters.submit(() -> { go.await(); one.manage(x); return null; });
                    Future<?> fy = starters.submit(() -> { go.await(); two.manage(y); return null; });
                    go.countDown();
                    fx.get();
                    fy.get();
                    listener.await(c -> c.names().equals(x), ISSUE, "certificate for " + x);
                    listener.await(c -> c.names().equals(y), ISSUE, "certificate for " + y);
                }
                assertEquals(accountsBefore + 1, PEBBLE.requests("POST", "/sign-me-up"),
                        "round " + round + ": two racing first orders register exactly one account");
                assertEquals(List.of(accountKeyKey(), accountUrlKey(), RenewalScheduler.historyKey(PEBBLE.options())),
                        storage.list("acme/"), "round " + round + ": one account key and one URL are stored (and the order history)");
                assertEquals(2, orders(storage),
                        "round " + round + ": both racing schedulers' orders are in the stored history, neither overwrote the other");
                assertTrue(storage.isSecret(accountKeyKey()), "the account key is stored as a secret");
                if (round == 2) {
                    try (RenewalScheduler later = scheduler(storage, listener)) {
                        later.manage(Set.of("third.test"));
                        listener.await(c -> c.names().equals(Set.of("third.test")), ISSUE, "certificate for third.test");
                    }
                    assertEquals(accountsBefore + 1, PEBBLE.requests("POST", "/sign-me-up"),
                            "a third name ordered later reuses the stored account");
                }
            }
        } finally {
            starters.shutdownNow();
        }
    }

    @Test
    void certificateFromAnotherDirectoryIsServedThenReplacedAtOnce() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        Set<String> names = Set.of("moved.test");
        RecordingListener first = new RecordingListener();
        ManagedCertificate old;
        try (RenewalScheduler scheduler = scheduler(storage, first)) {
            scheduler.manage(names);
            old = first.await(c -> true, ISSUE, "a certificate from the acme:// directory");
        }
        AcmeOptions moved = withDirectory(PEBBLE.options(), httpsDirectory());
        RecordingListener second = new RecordingListener();
        try (RenewalScheduler scheduler = new RenewalScheduler(moved, storage, PEBBLE.challenges(), second,
                RecordingListener.fastTuning())) {
            scheduler.manage(names);
            assertEquals(old.serial(), second.all().get(0).serial(),
                    "the stored certificate is served at once while the new directory is asked");
            ManagedCertificate replaced = second.await(c -> !c.serial().equals(old.serial()), ISSUE,
                    "a certificate from the newly configured directory (e.g. staging -> production)");
            assertEquals(names, replaced.names(), "for the same names");
        }
    }

    @Test
    void httpsDirectoryUrlWithRsaKeysAndAnUnsupportedProfileStillIssues() throws Exception {
        AcmeOptions options = withDirectory(PEBBLE.options(), httpsDirectory())
                .withKeyType(AcmeOptions.KeyType.RSA_2048).withProfile("shortlived");
        RecordingListener listener = new RecordingListener();
        try (RenewalScheduler scheduler = new RenewalScheduler(options, new InMemoryStorage(), PEBBLE.challenges(),
                listener, RecordingListener.fastTuning())) {
            scheduler.manage(Set.of("rsa.test"));
            ManagedCertificate cert = listener.await(c -> true, ISSUE, "a certificate via the https directory URL");
            var key = (java.security.interfaces.RSAPublicKey) cert.pair().leaf().getPublicKey();
            assertEquals(2048, key.getModulus().bitLength(), "the configured key type (RSA 2048) is used for the certificate");
        }
    }

    /** The same Pebble as a plain https directory URL (acme4j's generic provider). */
    private static String httpsDirectory() {
        String d = PEBBLE.options().directory();
        return "https://localhost:" + d.substring(d.lastIndexOf(':') + 1) + "/dir";
    }

    private static AcmeOptions withDirectory(AcmeOptions o, String directory) {
        return new AcmeOptions(directory, o.email(), o.agreeToTerms(), o.caBundle(), o.eab(), o.keyType(), o.profile(),
                o.requestTimeout(), o.pollInterval(), o.orderTimeout());
    }

    private static long orders(InMemoryStorage storage) throws Exception {
        String history = new String(storage.load(RenewalScheduler.historyKey(PEBBLE.options())).orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8);
        return history.lines().filter(line -> line.startsWith("ORDER ")).count();
    }

    private static String accountUrlKey() {
        return new AccountStore(PEBBLE.options(), new InMemoryStorage()).urlPath();
    }

    private static String accountKeyKey() {
        return new AccountStore(PEBBLE.options(), new InMemoryStorage()).keyPath();
    }

    private static RenewalScheduler scheduler(InMemoryStorage storage, RecordingListener listener) {
        return new RenewalScheduler(PEBBLE.options(), storage, PEBBLE.challenges(), listener, RecordingListener.fastTuning());
    }
}
