package dev.portico.tls.storage;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where Portico keeps what must survive a restart: certificates, keys, the ACME account, the internal
 * CA. Keys are relative slash-separated names such as {@code certificates/example.com/chain.pem}.
 *
 * <p>A small interface so that a later backend (Kubernetes Secrets with a Lease) can stand in for the
 * directory. Every method does I/O: control plane only, never on an event loop.
 */
public interface Storage {

    /** The bytes stored under {@code key}, or empty when there are none. */
    Optional<byte[]> load(String key) throws IOException;

    /**
     * Stores {@code data} under {@code key} atomically: a reader (or a restart after a crash at any
     * instant) sees the previous bytes or the new ones, never a mix. {@code secret} data (private
     * keys, account keys) is readable by the owner only.
     */
    void store(String key, byte[] data, boolean secret) throws IOException;

    /** Removes {@code key}; no error when it is absent. */
    void delete(String key) throws IOException;

    /** The keys directly or indirectly below {@code prefix} (e.g. {@code "certificates/"}), sorted. */
    List<String> list(String prefix) throws IOException;

    /**
     * Takes an exclusive lock on {@code name} (e.g. {@code "acme-account"} or a host name), waiting
     * as long as another holder has it, in this process or another one sharing the storage.
     * Close the returned lock to release it.
     */
    Lock lock(String name) throws IOException;

    /** A held lock; closing releases it. */
    interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }
}
