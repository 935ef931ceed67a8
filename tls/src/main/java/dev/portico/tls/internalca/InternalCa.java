package dev.portico.tls.internalca;

import dev.portico.tls.certificate.CertificateKeyPair;
import dev.portico.tls.certificate.CertificateLoadException;
import dev.portico.tls.certificate.Pem;
import dev.portico.tls.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Portico's own certificate authority for names no public CA will certify: {@code localhost}, IP
 * addresses, private names ({@code app.internal}). A root (ECDSA P-256, {@link #ROOT_LIFETIME},
 * {@value #ROOT_NAME}) is made once and kept in {@link Storage} under {@link #ROOT_CERTIFICATE} and
 * {@link #ROOT_KEY} (secret), so a user trusts it once and it survives restarts. Leaves are short-lived
 * (a lifetime per call, e.g. 7 days), chain = leaf, root.
 *
 * <p>Key generation, signing and storage I/O: control plane only. Thread-safe (immutable after load).
 */
public final class InternalCa {
    /** The root's subject common name. */
    public static final String ROOT_NAME = "Portico Internal Root CA";
    /** Storage key of the root certificate (PEM): what a user imports into a trust store. */
    public static final String ROOT_CERTIFICATE = "internal-ca/root.pem";
    /** Storage key of the root private key (PKCS#8 PEM, stored as a secret). */
    public static final String ROOT_KEY = "internal-ca/root.key";
    /** How long a new root is valid. */
    public static final Duration ROOT_LIFETIME = Duration.ofDays(3653);
    /** A sensible leaf lifetime: short, since renewal is automatic. */
    public static final Duration DEFAULT_LEAF_LIFETIME = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(InternalCa.class);
    private static final String LOCK = "internal-ca";

    private final X509Certificate root;
    private final PrivateKey rootKey;
    private final Clock clock;
    private final SecureRandom random;

    private InternalCa(X509Certificate root, PrivateKey rootKey, Clock clock, SecureRandom random) {
        this.root = root;
        this.rootKey = rootKey;
        this.clock = clock;
        this.random = random;
    }

    /**
     * The CA kept in {@code storage}, creating and storing a new root the first time. Holds the
     * storage lock {@value #LOCK} meanwhile, so two processes sharing the storage make one root.
     *
     * @throws CertificateLoadException when a stored root is unreadable or its key does not match
     *     (Portico never silently replaces a root a user may already trust)
     */
    @SuppressWarnings("try") // the lock is held by the try block, not used in it
    public static InternalCa loadOrCreate(Storage storage, Clock clock, SecureRandom random) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        try (Storage.Lock lock = storage.lock(LOCK)) {
            Optional<byte[]> certificate = storage.load(ROOT_CERTIFICATE);
            Optional<byte[]> key = storage.load(ROOT_KEY);
            if (certificate.isPresent() && key.isPresent()) {
                CertificateKeyPair pair = Pem.parseKeyPair(certificate.get(), "storage " + ROOT_CERTIFICATE,
                        key.get(), "storage " + ROOT_KEY);
                return new InternalCa(pair.leaf(), pair.key(), clock, random);
            }
            if (certificate.isPresent() != key.isPresent()) {
                throw new CertificateLoadException("storage: " + (certificate.isPresent() ? ROOT_KEY : ROOT_CERTIFICATE)
                        + " is missing while " + (certificate.isPresent() ? ROOT_CERTIFICATE : ROOT_KEY)
                        + " exists (restore it, or delete both to make a new root that users must trust again)");
            }
            KeyPair keys = newKeyPair(random);
            Instant now = clock.instant();
            X509Certificate root = CertificateSigner.root(ROOT_NAME, keys, now, now.plus(ROOT_LIFETIME), random);
            // Key first: a crash between the two writes leaves a key without certificate, reported above.
            storage.store(ROOT_KEY, Pem.encodePrivateKey(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII), true);
            storage.store(ROOT_CERTIFICATE, Pem.encodeCertificates(List.of(root)).getBytes(StandardCharsets.US_ASCII), false);
            LOG.info("internal_ca.root.created subject=\"{}\" not_after={} storage_key={}",
                    root.getSubjectX500Principal().getName(), root.getNotAfter().toInstant(), ROOT_CERTIFICATE);
            return new InternalCa(root, keys.getPrivate(), clock, random);
        }
    }

    /** The root certificate: what users add to their trust store once. */
    public X509Certificate root() {
        return root;
    }

    /** The root certificate as PEM. */
    public String rootPem() {
        return Pem.encodeCertificates(List.of(root));
    }

    /**
     * A new leaf for {@code names} (DNS names, {@code *.} wildcards or IP literals), with a fresh
     * ECDSA P-256 key, valid from one minute ago (clock skew) for {@code lifetime}, never past the
     * root. Chain = leaf, root. Control plane only (key generation).
     */
    public CertificateKeyPair issue(List<String> names, Duration lifetime) {
        List<String> copy = List.copyOf(Objects.requireNonNull(names, "names"));
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("names: empty (expected at least one host name or IP address)");
        }
        Objects.requireNonNull(lifetime, "lifetime");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime: " + lifetime + " (expected: > 0)");
        }
        Instant now = clock.instant();
        Instant notAfter = now.plus(lifetime);
        Instant rootEnd = root.getNotAfter().toInstant();
        if (notAfter.isAfter(rootEnd)) {
            notAfter = rootEnd;
        }
        KeyPair keys = newKeyPair(random);
        X509Certificate leaf = CertificateSigner.leaf(copy, keys.getPublic(), root, rootKey,
                now.minus(Duration.ofMinutes(1)), notAfter, random);
        return new CertificateKeyPair(List.of(leaf, root), keys.getPrivate());
    }

    /**
     * When a leaf should be renewed: once a third of its lifetime remains. A pure function of the
     * certificate; compare with {@code clock.instant()}.
     */
    public static Instant renewalTime(X509Certificate leaf) {
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Duration lifetime = Duration.between(notBefore, notAfter);
        return notAfter.minus(lifetime.dividedBy(3));
    }

    /** True when {@code now} has reached {@link #renewalTime} of {@code leaf}. */
    public static boolean needsRenewal(X509Certificate leaf, Instant now) {
        return !now.isBefore(renewalTime(leaf));
    }

    private static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make ECDSA P-256 keys", e);
        }
    }
}
