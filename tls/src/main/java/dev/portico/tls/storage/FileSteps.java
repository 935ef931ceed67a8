package dev.portico.tls.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;

/**
 * The file-system steps of an atomic write, one method each, so that a test can fail any one of
 * them and prove the previous content survives (the seam for failure injection; production uses
 * {@link #REAL}).
 */
interface FileSteps {
    FileSteps REAL = new FileSteps() {};

    /** Creates an empty temporary file in {@code dir} with {@code attributes} applied at creation. */
    default Path createTemp(Path dir, String prefix, FileAttribute<?>... attributes) throws IOException {
        return Files.createTempFile(dir, prefix, ".tmp", attributes);
    }

    /** Writes all of {@code data} to the open channel. */
    default void write(FileChannel channel, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Forces the file's content and metadata to the device. */
    default void fsync(FileChannel channel) throws IOException {
        channel.force(true);
    }

    /** Atomically replaces {@code target} with {@code source} (rename(2) within one directory). */
    default void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Forces the directory entry changes (the rename) to the device. */
    default void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; their rename is durable enough.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }
}
