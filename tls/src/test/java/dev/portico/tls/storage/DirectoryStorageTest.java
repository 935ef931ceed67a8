package dev.portico.tls.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(30)
class DirectoryStorageTest {
    @TempDir
    Path dir;

    /** The steps of an atomic write, in order; a failure is injected at each. */
    enum Step { CREATE_TEMP, WRITE, FSYNC, RENAME }

    @ParameterizedTest
    @EnumSource(Step.class)
    void aFailureAtAnyStepLeavesThePreviousContentIntact(Step failing) throws IOException {
        new DirectoryStorage(dir).store("certificates/a.test/chain.pem", bytes("old"), false);
        DirectoryStorage failingStorage = new DirectoryStorage(dir, new FailingSteps(failing));

        IOException failure = assertThrows(IOException.class,
                () -> failingStorage.store("certificates/a.test/chain.pem", bytes("new"), false),
                "the injected failure at " + failing + " must surface to the caller");

        assertEquals("injected at " + failing, failure.getMessage(), "the failure must be the injected one");
        assertArrayEquals(bytes("old"), new DirectoryStorage(dir).load("certificates/a.test/chain.pem").orElseThrow(),
                "a write that failed at " + failing + " must leave the previous bytes, never a torn file");
        try (Stream<Path> files = Files.list(dir.resolve("certificates/a.test"))) {
            assertEquals(List.of("chain.pem"), files.map(p -> p.getFileName().toString()).toList(),
                    "the temporary file of the failed write must be removed");
        }
    }

    @Test
    void aFailedDirectorySyncHappensAfterTheRenameSoTheNewContentIsThere() throws IOException {
        new DirectoryStorage(dir).store("a.txt", bytes("old"), false);
        DirectoryStorage failingStorage = new DirectoryStorage(dir, new FailingSteps(null) {
            @Override
            public void fsyncDirectory(Path directory) throws IOException {
                throw new IOException("injected at FSYNC_DIRECTORY");
            }
        });
        assertThrows(IOException.class, () -> failingStorage.store("a.txt", bytes("new"), false),
                "a failed directory fsync is reported: durability is not confirmed");
        assertArrayEquals(bytes("new"), new DirectoryStorage(dir).load("a.txt").orElseThrow(),
                "the rename already happened, so readers see the complete new file (old or new, never torn)");
    }

    @Test
    void storedBytesAreLoadedBackAndReplaced() throws IOException {
        DirectoryStorage storage = new DirectoryStorage(dir);
        assertEquals(Optional.empty(), storage.load("acme/account.key"), "nothing is stored yet");
        storage.store("acme/account.key", bytes("one"), true);
        storage.store("acme/account.key", bytes("two"), true);
        assertArrayEquals(bytes("two"), storage.load("acme/account.key").orElseThrow(), "the last write wins");
        storage.delete("acme/account.key");
        storage.delete("acme/account.key");
        assertEquals(Optional.empty(), storage.load("acme/account.key"), "a deleted key is gone; deleting twice is fine");
    }

    @Test
    void secretFilesAreOwnerOnlyAndDirectoriesPrivate() throws IOException {
        DirectoryStorage storage = new DirectoryStorage(dir.resolve("data"));
        storage.store("internal-ca/root.key", bytes("secret"), true);
        storage.store("internal-ca/root.pem", bytes("public"), false);
        assertEquals("rw-------", mode(storage.pathOf("internal-ca/root.key")), "private keys must be 0600");
        assertEquals("rw-r--r--", mode(storage.pathOf("internal-ca/root.pem")), "certificates may be read by others");
        assertEquals("rwx------", mode(dir.resolve("data")), "the storage directory must be 0700");
        assertEquals("rwx------", mode(dir.resolve("data/internal-ca")), "subdirectories must be 0700");
    }

    @Test
    void secretTemporaryFilesAreOwnerOnlyFromCreation() throws IOException {
        FileSteps observing = new FileSteps() {
            @Override
            public void write(FileChannel channel, byte[] data) throws IOException {
                throw new IOException("stop before any byte is written");
            }

            @Override
            public Path createTemp(Path parent, String prefix, FileAttribute<?>... attributes) throws IOException {
                Path temp = FileSteps.REAL.createTemp(parent, prefix, attributes);
                assertEquals("rw-------", mode(temp), "the temporary file must be 0600 before any byte is in it");
                return temp;
            }
        };
        assertThrows(IOException.class, () -> new DirectoryStorage(dir, observing).store("k.key", bytes("s"), true),
                "the write step fails as injected");
    }

    @Test
    @SuppressWarnings("try")
    void listReturnsKeysBelowThePrefixSortedWithoutInternalFiles() throws IOException {
        DirectoryStorage storage = new DirectoryStorage(dir);
        storage.store("certificates/b.test/chain.pem", bytes("b"), false);
        storage.store("certificates/a.test/key.pem", bytes("k"), true);
        storage.store("certificates/a.test/chain.pem", bytes("a"), false);
        storage.store("acme/account.key", bytes("x"), true);
        try (Storage.Lock lock = storage.lock("a.test")) {
            assertEquals(List.of("certificates/a.test/chain.pem", "certificates/a.test/key.pem",
                            "certificates/b.test/chain.pem"), storage.list("certificates/"),
                    "list gives the keys under the prefix, sorted, and hides lock files");
        }
        assertEquals(List.of("acme/account.key", "certificates/a.test/chain.pem", "certificates/a.test/key.pem",
                "certificates/b.test/chain.pem"), storage.list(""), "an empty prefix lists every key");
    }

    @Test
    void keysThatEscapeTheDirectoryAreRejected() throws IOException {
        DirectoryStorage storage = new DirectoryStorage(dir);
        for (String bad : List.of("../x", "/etc/passwd", "a//b", "a/./b", ".hidden", "a/", "")) {
            assertThrows(IllegalArgumentException.class, () -> storage.store(bad, bytes("x"), false),
                    "'" + bad + "' must not be usable as a key: it escapes or hides in the directory");
        }
    }

    @Test
    @SuppressWarnings("try")
    void lockExcludesOtherThreadsUntilClosed() throws Exception {
        DirectoryStorage storage = new DirectoryStorage(dir);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Storage.Lock held = storage.lock("example.com");
            CountDownLatch attempting = new CountDownLatch(1);
            Future<?> waiter = other.submit(() -> {
                attempting.countDown();
                try (Storage.Lock second = storage.lock("example.com")) {
                    return null;
                }
            });
            assertTrue(attempting.await(5, TimeUnit.SECONDS), "the second thread must start");
            assertThrows(TimeoutException.class, () -> waiter.get(200, TimeUnit.MILLISECONDS),
                    "a second holder in the same process must wait: FileLock alone would not stop it");
            try (Storage.Lock independent = storage.lock("other.example.com")) {
                assertFalse(waiter.isDone(), "a lock on another name is independent and does not release the first");
            }
            held.close();
            waiter.get(5, TimeUnit.SECONDS);
            held.close(); // closing twice is harmless
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void lockExcludesAnotherProcessUntilItReleases() throws Exception {
        DirectoryStorage storage = new DirectoryStorage(dir);
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), dir.toString(), "example.com")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try {
            BufferedReader childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
            assertEquals("locked", childOut.readLine(), "the other process must hold the lock first");
            Future<?> attempt = waiter.submit(() -> {
                try (Storage.Lock lock = storage.lock("example.com")) {
                    return null;
                }
            });
            assertThrows(TimeoutException.class, () -> attempt.get(300, TimeUnit.MILLISECONDS),
                    "while another process holds the lock, this one must wait (the OS file lock)");
            child.getOutputStream().close(); // the child releases and exits
            attempt.get(10, TimeUnit.SECONDS);
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child exits after releasing");
        } finally {
            waiter.shutdownNow();
            child.destroyForcibly();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static class FailingSteps implements FileSteps {
        private final Step failing;

        FailingSteps(Step failing) {
            this.failing = failing;
        }

        private void maybeFail(Step step) throws IOException {
            if (step == failing) {
                throw new IOException("injected at " + step);
            }
        }

        @Override
        public Path createTemp(Path parent, String prefix, FileAttribute<?>... attributes) throws IOException {
            maybeFail(Step.CREATE_TEMP);
            return FileSteps.REAL.createTemp(parent, prefix, attributes);
        }

        @Override
        public void write(FileChannel channel, byte[] data) throws IOException {
            // Half the bytes reach the temporary file first, as in a crash mid-write.
            FileSteps.REAL.write(channel, Arrays.copyOf(data, data.length / 2));
            maybeFail(Step.WRITE);
            FileSteps.REAL.write(channel, Arrays.copyOfRange(data, data.length / 2, data.length));
        }

        @Override
        public void fsync(FileChannel channel) throws IOException {
            FileSteps.REAL.fsync(channel);
            maybeFail(Step.FSYNC);
        }

        @Override
        public void rename(Path source, Path target) throws IOException {
            maybeFail(Step.RENAME);
            FileSteps.REAL.rename(source, target);
        }
    }
}
