package dev.portico.acme;

import dev.portico.acme.renewal.AriWindow;
import dev.portico.acme.renewal.Backoff;
import dev.portico.acme.renewal.Failure;
import dev.portico.acme.renewal.FailureKind;
import dev.portico.acme.renewal.OrderHistory;
import dev.portico.acme.renewal.OrderLimits;
import dev.portico.acme.renewal.RenewalPolicy;
import dev.portico.tls.sni.HostPattern;
import dev.portico.tls.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every managed set of names covered by a fresh ACME certificate.
 *
 * <p>{@link #manage(Set)} loads a stored certificate at once and hands it to the listener, so startup
 * never waits for the CA; a missing or due certificate is ordered in the background. One timer
 * thread sleeps until the earliest due set (a single wakeup, re-armed whenever a due time changes,
 * never a fixed poll) and hands due sets to a small order pool, so a slow or hung CA delays no other
 * set beyond the pool's width; each order is bounded by the request timeout and the order deadline of
 * {@link AcmeOptions}. A set, and any name in it, is never in two orders at once (and, through
 * {@code Storage.lock}, not in two processes sharing the storage either).
 *
 * <p>When: {@link RenewalPolicy} (ARI window when offered, else a third / half of the lifetime left).
 * After a failure: {@link Backoff} after classification, and never past {@link OrderLimits}. The
 * {@link OrderHistory} those limits are counted on is kept in storage, per ACME directory
 * ({@link #historyKey(AcmeOptions)}), so a process that restarts (a crash loop, a redeploy) does not order past
 * the CA's limits either.
 *
 * <p>Thread-safe. Every method does I/O or waits: control plane only, never an event loop.
 */
public final class RenewalScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RenewalScheduler.class);
    private static final Duration EXPIRY_ALARM = Duration.ofDays(7);

    private final AcmeOptions options;
    private final Storage storage;
    private final CertificateFiles files;
    private final AcmeClient client;
    private final CertificateListener listener;
    private final Tuning tuning;
    private final ScheduledExecutorService timer;
    private final ExecutorService orders;
    private final Map<Set<String>, ManagedSet> entries = new LinkedHashMap<>();
    private final Set<String> busyNames = new HashSet<>();
    private OrderHistory history;
    /** Serializes the history's writes, so the last one stored is the newest. */
    private final Object historyWrites = new Object();
    private final String historyStorageKey;
    private ScheduledFuture<?> wakeup;
    private Instant wakeAt;
    private boolean closed;

    /**
     * A scheduler with the production tuning (system clock, Let's Encrypt limits, the default
     * backoff table, two order threads). Does no I/O until {@link #manage(Set)}.
     */
    public static RenewalScheduler create(AcmeOptions options, Storage storage, Http01Challenges challenges,
            CertificateListener listener) {
        return new RenewalScheduler(options, storage, challenges, listener, Tuning.DEFAULT);
    }

    RenewalScheduler(AcmeOptions options, Storage storage, Http01Challenges challenges, CertificateListener listener,
            Tuning tuning) {
        this.options = Objects.requireNonNull(options, "options");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.files = new CertificateFiles(storage);
        this.client = new AcmeClient(options, storage, Objects.requireNonNull(challenges, "challenges"), tuning.clock());
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("portico-acme-timer"));
        this.orders = Executors.newFixedThreadPool(tuning.orderThreads(), threads("portico-acme-order"));
        this.historyStorageKey = historyKey(options);
        this.history = loadHistory();
    }

    /**
     * Starts keeping {@code names} (host names, no wildcards: HTTP-01 cannot prove them) covered. A
     * stored certificate that covers them is handed to the listener before this returns (file I/O
     * only); ordering, when needed, happens in the background. Managing the same set again is a no-op;
     * a set sharing a name with another managed set is refused ({@link IllegalArgumentException}).
     */
    public void manage(Set<String> names) {
        Set<String> set = normalize(names);
        ManagedSet entry;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("scheduler is closed");
            }
            if (entries.containsKey(set)) {
                return;
            }
            for (Set<String> other : entries.keySet()) {
                // One name, one certificate: overlapping sets would also share a storage directory.
                if (other.stream().anyMatch(set::contains)) {
                    throw new IllegalArgumentException("names: " + set + " overlaps the managed set " + other
                            + " (expected each name in one set only; unmanage the old set first)");
                }
            }
            entry = new ManagedSet(set);
            entries.put(set, entry);
        }
        Optional<ManagedCertificate> stored = Optional.empty();
        Optional<String> storedDirectory = Optional.empty();
        try {
            stored = files.load(set);
            storedDirectory = files.directory(set);
        } catch (java.io.IOException e) {
            LOG.warn("acme stored certificate unreadable names={} detail={}", set, e.toString());
        }
        Instant now = tuning.clock().instant();
        if (stored.isPresent() && stored.get().notAfter().isAfter(now)) {
            LOG.info("acme certificate loaded names={} notAfter={} serial={}", set, stored.get().notAfter(),
                    stored.get().serialHex());
            installed(entry, stored.get(), now);
            if (storedDirectory.isPresent() && !storedDirectory.get().equals(options.directory())) {
                // E.g. staging -> production: serve the old one meanwhile, but replace it at once.
                LOG.info("acme certificate from another directory, renewing now names={} storedDirectory={} directory={}",
                        set, storedDirectory.get(), options.directory());
                synchronized (this) {
                    entry.dueAt = now;
                }
            }
        } else {
            synchronized (this) {
                entry.dueAt = now;
            }
            LOG.info("acme certificate missing or expired, ordering names={}", set);
        }
        rearm();
    }

    /** Stops renewing {@code names}; an order in flight finishes but its result is not installed. */
    public void unmanage(Set<String> names) {
        synchronized (this) {
            ManagedSet e = entries.remove(normalize(names));
            if (e != null) {
                e.removed = true;
            }
        }
        rearm();
    }

    /** A snapshot of every managed set for operators (admin endpoint, metrics). Any thread. */
    public synchronized List<CertificateState> states() {
        List<CertificateState> out = new ArrayList<>();
        for (ManagedSet e : entries.values()) {
            Optional<ManagedCertificate> c = Optional.ofNullable(e.current);
            out.add(new CertificateState(e.names, c.map(ManagedCertificate::issuer), c.map(ManagedCertificate::notAfter),
                    c.map(ManagedCertificate::serialHex), Optional.ofNullable(e.dueAt),
                    Optional.ofNullable(e.lastError).map(Failure::summary)));
        }
        return out;
    }

    /** Tests: nothing running and no renewal-information check pending (true once settled on Pebble 2.4, which has no ARI). */
    synchronized boolean settled() {
        return entries.values().stream().noneMatch(e -> e.running || e.ariCheckAt != null);
    }

    /** Stops the timer and interrupts orders in flight (their tokens are withdrawn). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (wakeup != null) {
                wakeup.cancel(false);
            }
        }
        timer.shutdownNow();
        orders.shutdownNow();
        try {
            orders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Re-arms the single wakeup for the earliest due set that is not being ordered. Any thread. */
    private synchronized void rearm() {
        if (closed) {
            return;
        }
        Instant earliest = null;
        for (ManagedSet e : entries.values()) {
            Instant t = e.running ? null : e.nextWake();
            if (t != null && (earliest == null || t.isBefore(earliest))) {
                earliest = t;
            }
        }
        if (wakeup != null && !wakeup.isDone()) {
            if (earliest != null && wakeAt != null && !wakeAt.isAfter(earliest)) {
                return; // already armed early enough; wake() re-arms for what is left
            }
            wakeup.cancel(false);
        }
        wakeup = null;
        wakeAt = earliest;
        if (earliest != null) {
            long delay = Math.max(0, Duration.between(tuning.clock().instant(), earliest).toMillis());
            wakeup = timer.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Timer thread: starts every due set whose names are all idle, then re-arms. */
    private void wake() {
        Instant now = tuning.clock().instant();
        synchronized (this) {
            wakeup = null;
            if (closed) {
                return;
            }
            for (ManagedSet e : entries.values()) {
                Instant t = e.nextWake();
                if (e.running || t == null || t.isAfter(now) || e.names.stream().anyMatch(busyNames::contains)) {
                    continue;
                }
                e.running = true;
                busyNames.addAll(e.names);
                orders.execute(() -> run(e));
            }
        }
        rearm();
    }

    /** Order pool: renews {@code e} or refreshes its renewal information. */
    private void run(ManagedSet e) {
        // A CA that answers each request just inside the timeout (or acme4j retrying bad nonces)
        // must not hold a pool thread forever: interrupt the order past its deadline.
        Thread self = Thread.currentThread();
        ScheduledFuture<?> watchdog;
        try {
            watchdog = timer.schedule(self::interrupt, watchdogMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            return;
        }
        try {
            Instant now = tuning.clock().instant();
            boolean ariOnly;
            synchronized (this) {
                ariOnly = e.current != null && e.dueAt.isAfter(now) && e.ariCheckAt != null && !e.ariCheckAt.isAfter(now);
            }
            if (ariOnly) {
                checkRenewalInfo(e, now);
            } else {
                order(e);
            }
        } catch (RuntimeException ex) {
            failed(e, ex); // a bug must not kill the pool thread or leave the set stuck
        } finally {
            watchdog.cancel(false);
            Thread.interrupted(); // a watchdog that fired just now must not hit the next order
            synchronized (this) {
                e.running = false;
                busyNames.removeAll(e.names);
            }
            rearm();
        }
    }

    @SuppressWarnings("try") // the storage lock is held for the block's duration only
    private void order(ManagedSet e) {
        String lockName = "acme-order-" + CertificateFiles.primary(e.names);
        try (Storage.Lock ignored = storage.lock(lockName)) {
            // Another process sharing the storage may have renewed while we waited for the lock.
            Optional<ManagedCertificate> stored = files.load(e.names);
            Instant now = tuning.clock().instant();
            ManagedCertificate current;
            synchronized (this) {
                current = e.current;
            }
            if (stored.isPresent() && !sameSerial(stored.get(), current)
                    && !RenewalPolicy.isDue(plainRenewAt(stored.get()), now)) {
                LOG.info("acme certificate renewed elsewhere, loaded names={} serial={}", e.names, stored.get().serialHex());
                installed(e, stored.get(), now);
                return;
            }
            Instant allowed;
            synchronized (this) {
                history = history.pruned(tuning.limits(), now);
                allowed = history.nextAllowed(e.names, tuning.limits(), now);
                if (!allowed.isAfter(now)) {
                    history = history.withOrder(now, e.names);
                } else {
                    e.dueAt = allowed;
                }
            }
            if (allowed.isAfter(now)) {
                LOG.warn("acme order deferred reason=client-rate-limit names={} nextTry={}", e.names, allowed);
                return;
            }
            saveHistory();
            ManagedCertificate issued = client.issue(e.names, Optional.ofNullable(current).map(c -> c.pair().leaf()));
            files.store(issued, options.directory(), tuning.clock().instant());
            synchronized (this) {
                history = history.withIssued(tuning.clock().instant(), e.names);
            }
            saveHistory();
            LOG.info("acme issued names={} notAfter={} serial={} issuer=\"{}\"", e.names, issued.notAfter(),
                    issued.serialHex(), issued.issuer());
            installed(e, issued, tuning.clock().instant());
        } catch (InterruptedException ex) {
            failed(e, ex); // the watchdog, or close(), which failed() ignores
        } catch (Exception ex) {
            failed(e, ex);
        }
    }

    private long watchdogMillis() {
        return options.orderTimeout().plus(options.requestTimeout().multipliedBy(2)).toMillis();
    }

    private void checkRenewalInfo(ManagedSet e, Instant now) {
        try {
            ManagedCertificate current;
            synchronized (this) {
                current = e.current;
            }
            Optional<AcmeClient.Ari> ari = client.renewalInfo(current.pair().leaf());
            synchronized (this) {
                if (e.current != current) {
                    return; // renewed meanwhile; installed() has planned the next check
                }
                if (ari.isEmpty()) {
                    e.ariCheckAt = null;
                    return;
                }
                AriWindow window = ari.get().window();
                if (!window.equals(e.ariWindow)) { // re-pick only when the CA moved the window (RFC 9773 §4.2)
                    e.ariWindow = window;
                    e.dueAt = RenewalPolicy.renewAt(current.notBefore(), current.notAfter(), Optional.of(window),
                            now, tuning.random());
                    LOG.info("acme renewal scheduled names={} at={} source=ari window={}..{}{}", e.names, e.dueAt,
                            window.start(), window.end(),
                            ari.get().explanation().map(x -> " explanation=" + x).orElse(""));
                }
                e.ariCheckAt = RenewalPolicy.nextAriCheck(now, ari.get().retryAfter());
            }
        } catch (Exception ex) {
            if (isClosed()) {
                return; // close() interrupted us: not a CA problem
            }
            Failure f = FailureClassifier.classify(ex);
            Instant next = tuning.backoff().nextAttempt(1, f.kind(), now, f.retryAfter(), tuning.random());
            synchronized (this) {
                e.ariCheckAt = next;
            }
            LOG.warn("acme renewal info failed names={} kind={} detail=\"{}\" nextTry={}", e.names, f.kind(),
                    f.detail(), next);
        }
    }

    private void installed(ManagedSet e, ManagedCertificate cert, Instant now) {
        Instant renewAt = plainRenewAt(cert);
        synchronized (this) {
            if (e.removed) {
                return;
            }
            e.current = cert;
            e.failures = 0;
            e.lastError = null;
            e.ariWindow = null;
            e.dueAt = renewAt;
            e.ariCheckAt = now; // first ARI look-up right away; dropped when the CA has no renewalInfo
        }
        LOG.info("acme renewal scheduled names={} at={} source=lifetime", e.names, renewAt);
        try {
            listener.installed(cert);
        } catch (RuntimeException ex) {
            LOG.error("acme certificate listener failed names={} serial={}", e.names, cert.serialHex(), ex);
        }
    }

    /** Where the history of orders to {@code options}' directory is stored: beside its account. */
    static String historyKey(AcmeOptions options) {
        return "acme/" + AcmeDirectory.id(options.directory()) + "/order-history.txt";
    }

    /** The stored history, pruned; empty when there is none or it is unreadable (never a reason not to start). */
    private OrderHistory loadHistory() {
        try {
            OrderHistory loaded = readStoredHistory().pruned(tuning.limits(), tuning.clock().instant());
            if (!loaded.events().isEmpty()) {
                LOG.info("acme order history loaded events={} key={}", loaded.events().size(), historyStorageKey);
            }
            return loaded;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("acme order history unreadable, starting without it key={} detail=\"{}\"", historyStorageKey, e.getMessage());
            return OrderHistory.EMPTY;
        }
    }

    /**
     * Stores the current history merged with the stored one (another process sharing the storage may
     * have added to it; its events then count here too), under a storage lock so that neither
     * overwrites the other. A failure is logged and the history kept in memory. Order threads.
     */
    @SuppressWarnings("try") // the lock is held for the block's duration only
    private void saveHistory() {
        synchronized (historyWrites) {
            try (Storage.Lock ignored = storage.lock("acme-order-history")) {
                OrderHistory stored;
                try {
                    stored = readStoredHistory();
                } catch (IllegalArgumentException unreadable) {
                    stored = OrderHistory.EMPTY; // loadHistory warned; this store replaces it
                }
                OrderHistory merged;
                synchronized (this) {
                    history = history.mergedWith(stored).pruned(tuning.limits(), tuning.clock().instant());
                    merged = history;
                }
                storage.store(historyStorageKey, merged.encode().getBytes(StandardCharsets.UTF_8), false);
            } catch (IOException e) {
                LOG.warn("acme order history not stored key={} detail=\"{}\"", historyStorageKey, e.toString());
            }
        }
    }

    /**
     * The stored history as it is; empty when there is none.
     *
     * @throws IllegalArgumentException when it is unreadable
     */
    private OrderHistory readStoredHistory() throws IOException {
        Optional<byte[]> stored = storage.load(historyStorageKey);
        return stored.isEmpty() ? OrderHistory.EMPTY : OrderHistory.parse(new String(stored.get(), StandardCharsets.UTF_8));
    }

    private void failed(ManagedSet e, Exception ex) {
        if (isClosed()) {
            return; // close() interrupted the order: not a CA problem
        }
        Failure f = FailureClassifier.classify(ex);
        Instant now = tuning.clock().instant();
        Instant next;
        int failures;
        Optional<Instant> notAfter;
        synchronized (this) {
            failures = ++e.failures;
            e.lastError = f;
            notAfter = Optional.ofNullable(e.current).map(ManagedCertificate::notAfter);
            next = tuning.backoff().nextAttempt(failures, f.kind(), now, f.retryAfter(), notAfter, tuning.random());
            e.dueAt = next;
            if (f.kind() == FailureKind.CHALLENGE_FAILED) {
                history = history.withFailedValidation(now, e.names);
            }
        }
        if (f.kind() == FailureKind.CHALLENGE_FAILED) {
            saveHistory();
        }
        String line = "acme order failed names={} kind={} type={} detail=\"{}\" failures={} nextTry={} currentNotAfter={}";
        Object[] args = {e.names, f.kind(), f.problemType().map(Object::toString).orElse("-"), f.detail(), failures,
                next, notAfter.map(Object::toString).orElse("-")};
        boolean expiring = notAfter.isPresent() && notAfter.get().isBefore(now.plus(EXPIRY_ALARM));
        if (!f.kind().isTransient() || expiring) {
            LOG.error(line, args);
        } else {
            LOG.warn(line, args);
        }
        if (f.kind() == FailureKind.SERVER && !(ex instanceof org.shredzone.acme4j.exception.AcmeException)
                && !(ex instanceof OrderFailedException)) {
            LOG.debug("acme order failure cause names={}", e.names, ex);
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private Instant plainRenewAt(ManagedCertificate cert) {
        return RenewalPolicy.renewAt(cert.notBefore(), cert.notAfter(), Optional.empty(), tuning.clock().instant(),
                tuning.random());
    }

    private static boolean sameSerial(ManagedCertificate a, ManagedCertificate b) {
        return b != null && a.serial().equals(b.serial());
    }

    private static Set<String> normalize(Set<String> names) {
        Objects.requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names: empty (expected at least one host name)");
        }
        Set<String> out = new TreeSet<>();
        for (String n : names) {
            if (n.contains("*")) {
                throw new IllegalArgumentException("names: " + n + " is a wildcard (HTTP-01 cannot validate wildcards)");
            }
            if (n.contains(":") || n.matches("[0-9.]+")) {
                throw new IllegalArgumentException("names: " + n + " is an IP address (expected a DNS name; "
                        + "IP addresses are served by the internal CA)");
            }
            out.add(HostPattern.normalize(n));
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The knobs tests turn: clock, randomness, retry table, client-side limits and order threads.
     */
    record Tuning(Clock clock, RandomGenerator random, Backoff backoff, OrderLimits limits, int orderThreads) {
        static final Tuning DEFAULT = new Tuning(Clock.systemUTC(), RandomGenerator.getDefault(), Backoff.DEFAULT,
                OrderLimits.LETS_ENCRYPT, 2);

        Tuning {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(limits, "limits");
            if (orderThreads < 1) {
                throw new IllegalArgumentException("orderThreads: " + orderThreads + " (expected: >= 1)");
            }
        }
    }
}
