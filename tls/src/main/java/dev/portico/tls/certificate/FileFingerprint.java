package dev.portico.tls.certificate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a set of files looked like: size and modification time of each (cheap to read on every
 * poll), and a SHA-256 over their contents (read only when size or time moved). Two fingerprints
 * with equal digests mean nothing to reload, whatever the timestamps say. A missing or unreadable
 * file counts as its own state, so its return is noticed.
 */
record FileFingerprint(List<String> stats, byte[] digest) {

    static FileFingerprint of(List<Path> files) {
        return of(files, null);
    }

    /** The current fingerprint; reuses {@code previous}'s digest when no size or time changed. */
    static FileFingerprint of(List<Path> files, FileFingerprint previous) {
        List<String> stats = new ArrayList<>();
        for (Path file : files) {
            stats.add(stat(file));
        }
        if (previous != null && previous.stats.equals(stats)) {
            return previous;
        }
        MessageDigest sha256 = sha256();
        for (Path file : files) {
            try {
                sha256.update(Files.readAllBytes(file));
            } catch (IOException e) {
                sha256.update(("unreadable:" + e.getClass().getName()).getBytes(StandardCharsets.UTF_8));
            }
            sha256.update((byte) 0);
        }
        return new FileFingerprint(List.copyOf(stats), sha256.digest());
    }

    boolean sameContentAs(FileFingerprint other) {
        return other != null && Arrays.equals(digest, other.digest);
    }

    private static String stat(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.size() + "@" + attributes.lastModifiedTime() + "#" + attributes.fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
