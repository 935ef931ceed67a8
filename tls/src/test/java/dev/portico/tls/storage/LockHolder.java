package dev.portico.tls.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run in a child JVM: takes {@code lock(name)} on a {@link DirectoryStorage}, prints {@code locked},
 * and holds the lock until its standard input closes. Arguments: directory, lock name.
 */
final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws IOException {
        DirectoryStorage storage = new DirectoryStorage(Path.of(args[0]));
        try (Storage.Lock lock = storage.lock(args[1])) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes our stdin
            }
        }
    }
}
