package dev.portico.tls.policy;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The session ticket keys: the newest first (it encrypts new tickets), then up to
 * {@code kept - 1} older ones (they still decrypt). Pure state and a decision about time; the caller
 * supplies the clock reading and the randomness. Not thread-safe: its owner serializes access.
 */
final class TicketKeyRing {
    private final Duration period;
    private final int kept;
    private final RandomGenerator random;
    private final List<OpenSslSessionTicketKey> keys = new ArrayList<>();
    private Instant rotatedAt;

    TicketKeyRing(Duration period, int kept, RandomGenerator random, Instant now) {
        this.period = Objects.requireNonNull(period, "period");
        if (kept < 1) {
            throw new IllegalArgumentException("kept: " + kept + " (expected: >= 1)");
        }
        this.kept = kept;
        this.random = Objects.requireNonNull(random, "random");
        keys.add(newKey());
        rotatedAt = now;
    }

    /** When the next key is due. */
    Instant nextRotation() {
        return rotatedAt.plus(period);
    }

    /** Makes a new current key when {@code now} has reached {@link #nextRotation()}; true if it did. */
    boolean rotateIfDue(Instant now) {
        if (now.isBefore(nextRotation())) {
            return false;
        }
        keys.add(0, newKey());
        while (keys.size() > kept) {
            keys.remove(keys.size() - 1);
        }
        rotatedAt = now;
        return true;
    }

    /** The keys, newest first, as {@code setTicketKeys} expects them. */
    OpenSslSessionTicketKey[] keys() {
        return keys.toArray(new OpenSslSessionTicketKey[0]);
    }

    private OpenSslSessionTicketKey newKey() {
        return new OpenSslSessionTicketKey(bytes(OpenSslSessionTicketKey.NAME_SIZE),
                bytes(OpenSslSessionTicketKey.HMAC_KEY_SIZE), bytes(OpenSslSessionTicketKey.AES_KEY_SIZE));
    }

    private byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
