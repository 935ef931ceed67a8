package dev.portico.acme;

import dev.portico.tls.storage.Storage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Test-only {@link Storage}: a sorted map whose every store replaces a value whole (atomic as the
 * interface demands), secret flags remembered, locks per name, and a switch that makes the next
 * writes fail (failure injection at a seam we own).
 */
final class InMemoryStorage implements Storage {
    private final ConcurrentSkipListMap<String, byte[]> data = new ConcurrentSkipListMap<>();
    private final Map<String, Boolean> secret = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    final AtomicInteger stores = new AtomicInteger();
    volatile boolean failWrites;

    @Override
    public Optional<byte[]> load(String key) {
        return Optional.ofNullable(data.get(key)).map(byte[]::clone);
    }

    @Override
    public void store(String key, byte[] bytes, boolean isSecret) throws IOException {
        if (failWrites) {
            throw new IOException("injected write failure for " + key);
        }
        data.put(key, bytes.clone());
        secret.put(key, isSecret);
        stores.incrementAndGet();
    }

    @Override
    public void delete(String key) {
        data.remove(key);
        secret.remove(key);
    }

    @Override
    public List<String> list(String prefix) {
        return data.keySet().stream().filter(k -> k.startsWith(prefix)).sorted().toList();
    }

    @Override
    public Lock lock(String name) {
        ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
        lock.lock();
        return lock::unlock;
    }

    boolean isSecret(String key) {
        return secret.getOrDefault(key, false);
    }
}
