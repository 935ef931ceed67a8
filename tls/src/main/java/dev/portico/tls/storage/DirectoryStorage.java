package dev.portico.tls.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@link Storage} in one directory (default {@code ./data}, {@code /var/lib/portico} under systemd).
 *
 * <ul>
 *   <li>Every write is atomic and durable: a temporary file in the target's directory, write, fsync,
 *       rename over the target, fsync the directory. A crash at any instant leaves the old bytes or
 *       the new ones.</li>
 *   <li>Secret files are created {@code 0600} (the mode is given to {@code open(2)}, so they are
 *       never readable by others, not even for an instant); other files {@code 0644}; directories
 *       {@code 0700}.</li>
 *   <li>{@link #lock} holds an in-process semaphore and an OS file lock on {@code .locks/<name>.lock}:
 *       a {@link FileLock} alone is per process, so two threads of one process would both get it.</li>
 *   <li>Names starting with {@code .} are ours (temporary files, locks) and never listed.</li>
 * </ul>
 *
 * <p>Every method does file I/O: control plane only, never on an event loop. Thread-safe.
 */
public final class DirectoryStorage implements Storage {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_*@+=-][A-Za-z0-9._*@+=-]*");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> SECRET_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final String LOCK_DIRECTORY = ".locks";

    private final Path root;
    private final FileSteps steps;
    private final ConcurrentMap<String, Semaphore> localLocks = new ConcurrentHashMap<>();

    /** Storage in {@code root}, created ({@code 0700}) when absent. Control plane only. */
    public DirectoryStorage(Path root) throws IOException {
        this(root, FileSteps.REAL);
    }

    DirectoryStorage(Path root, FileSteps steps) throws IOException {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.steps = Objects.requireNonNull(steps, "steps");
        createDirectories(this.root);
    }

    /** The directory everything is kept in. */
    public Path root() {
        return root;
    }

    /**
     * Where {@code key} lives on disk, e.g. to tell a user which file holds the internal CA root.
     * The file may not exist.
     */
    public Path pathOf(String key) {
        return root.resolve(checkKey(key));
    }

    @Override
    public Optional<byte[]> load(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(pathOf(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void store(String key, byte[] data, boolean secret) throws IOException {
        Objects.requireNonNull(data, "data");
        Path target = pathOf(key);
        Path dir = target.getParent();
        createDirectories(dir);
        Path temp = steps.createTemp(dir, "." + target.getFileName() + ".", fileMode(secret));
        boolean renamed = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                steps.write(channel, data);
                steps.fsync(channel);
            }
            if (POSIX && !secret) {
                Files.setPosixFilePermissions(temp, PUBLIC_MODE);
            }
            steps.rename(temp, target);
            renamed = true;
            steps.fsyncDirectory(dir);
        } finally {
            if (!renamed) {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path target = pathOf(key);
        if (Files.deleteIfExists(target)) {
            steps.fsyncDirectory(target.getParent());
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Objects.requireNonNull(prefix, "prefix");
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile)
                    .map(root::relativize)
                    .filter(DirectoryStorage::isVisible)
                    .map(path -> path.toString().replace(path.getFileSystem().getSeparator(), "/"))
                    .filter(key -> key.startsWith(prefix))
                    .forEach(keys::add);
        }
        keys.sort(null);
        return List.copyOf(keys);
    }

    @Override
    public Lock lock(String name) throws IOException {
        String fileName = checkSegment(name, "name") + ".lock";
        Semaphore local = localLocks.computeIfAbsent(name, n -> new Semaphore(1, true));
        try {
            local.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for lock " + name, e);
        }
        FileChannel channel = null;
        try {
            Path dir = root.resolve(LOCK_DIRECTORY);
            createDirectories(dir);
            channel = FileChannel.open(dir.resolve(fileName), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            return new HeldLock(local, channel, fileLock);
        } catch (IOException | RuntimeException | Error e) {
            if (channel != null) {
                channel.close();
            }
            local.release();
            throw e;
        }
    }

    private static boolean isVisible(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    private static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("key: '" + key + "' (expected a relative name like certificates/example.com/chain.pem)");
        }
        for (String segment : key.split("/", -1)) {
            checkSegment(segment, "key '" + key + "'");
        }
        return key;
    }

    private static String checkSegment(String segment, String what) {
        Objects.requireNonNull(segment, what);
        if (!SEGMENT.matcher(segment).matches() || segment.length() > 255) {
            throw new IllegalArgumentException(what + ": segment '" + segment
                    + "' (expected letters, digits and ._*@+=-, not starting with a dot)");
        }
        return segment;
    }

    private static FileAttribute<?>[] fileMode(boolean secret) {
        // Temporary files are always created 0600; public ones are opened up after writing.
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(SECRET_MODE)} : new FileAttribute<?>[0];
    }

    private static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (POSIX) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static final class HeldLock implements Lock {
        private final Semaphore local;
        private final FileChannel channel;
        private final FileLock fileLock;
        private boolean released;

        HeldLock(Semaphore local, FileChannel channel, FileLock fileLock) {
            this.local = local;
            this.channel = channel;
            this.fileLock = fileLock;
        }

        @Override
        public synchronized void close() throws IOException {
            if (released) {
                return;
            }
            released = true;
            try {
                fileLock.release();
            } finally {
                try {
                    channel.close();
                } finally {
                    local.release();
                }
            }
        }
    }
}
