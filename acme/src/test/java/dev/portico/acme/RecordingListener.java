package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.fail;

import dev.portico.acme.renewal.Backoff;
import dev.portico.acme.renewal.OrderLimits;
import java.time.Clock;
import dev.portico.tls.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Test listener that records every installed certificate, plus the awaiting helpers the ITs share. */
final class RecordingListener implements CertificateListener {
    private final List<ManagedCertificate> installed = new ArrayList<>();

    /** Retries every 250 ms, limits far above what a test reaches, two order threads. */
    static RenewalScheduler.Tuning fastTuning() {
        return tuning(new Backoff(List.of(Duration.ofMillis(250)), 0));
    }

    static RenewalScheduler.Tuning tuning(Backoff backoff) {
        return new RenewalScheduler.Tuning(Clock.systemUTC(), new Random(7), backoff,
                new OrderLimits(1000, Duration.ofHours(1), 1000, Duration.ofDays(7), 1000, Duration.ofHours(3)), 2);
    }

    @Override
    public synchronized void installed(ManagedCertificate certificate) {
        installed.add(certificate);
        notifyAll();
    }

    synchronized List<ManagedCertificate> all() {
        return List.copyOf(installed);
    }

    /** Waits up to {@code timeout} for an installed certificate matching {@code p}; fails with {@code why}. */
    synchronized ManagedCertificate await(Predicate<ManagedCertificate> p, Duration timeout, String why)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (ManagedCertificate c : installed) {
                if (p.test(c)) {
                    return c;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail(why + " (installed so far: " + installed.stream().map(c -> c.names() + "#" + c.serialHex()).toList() + ")");
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Awaits {@code condition} until {@code timeout} (the shared {@link Await}); fails with {@code why}. */
    static void awaitCondition(BooleanSupplier condition, Duration timeout, String why) throws Exception {
        Await.until(timeout, why, condition::getAsBoolean);
    }
}
