package dev.portico.acme;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an operator sees for one managed certificate: a read-only snapshot taken by
 * {@link RenewalScheduler#states()}.
 *
 * @param names the managed names
 * @param issuer the issuer of the current certificate, empty when there is none yet
 * @param notAfter expiry of the current certificate
 * @param serial serial of the current certificate (hex)
 * @param nextRenewal when the scheduler will next order for these names (renewal time, or the next retry)
 * @param lastError the last failure ("kind type: detail"), empty after a success
 */
public record CertificateState(
        Set<String> names,
        Optional<String> issuer,
        Optional<Instant> notAfter,
        Optional<String> serial,
        Optional<Instant> nextRenewal,
        Optional<String> lastError) {

    public CertificateState {
        names = Set.copyOf(Objects.requireNonNull(names, "names"));
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(nextRenewal, "nextRenewal");
        Objects.requireNonNull(lastError, "lastError");
    }
}
