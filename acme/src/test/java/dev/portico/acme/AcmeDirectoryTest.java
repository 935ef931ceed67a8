package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.Session;

class AcmeDirectoryTest {

    @Test
    void directoryIdsAreStableFileSystemSafeNames() {
        assertEquals("letsencrypt.org", AcmeDirectory.id("acme://letsencrypt.org"), "production Let's Encrypt");
        assertEquals("letsencrypt.org-staging", AcmeDirectory.id("acme://letsencrypt.org/staging"),
                "staging gets its own account, apart from production");
        assertEquals("pebble-localhost-14000", AcmeDirectory.id("acme://pebble/localhost:14000"), "Pebble with its port");
        assertEquals("acme.zerossl.com-v2-dv90", AcmeDirectory.id("https://acme.zerossl.com/v2/DV90"),
                "an https directory URL, lower-cased");
    }

    @Test
    void requestTimeoutIsAppliedToTheSession() {
        AcmeOptions options = AcmeOptions.of("acme://letsencrypt.org/staging", "ops@example.com", true)
                .withTimeouts(Duration.ofSeconds(7), Duration.ofSeconds(1), Duration.ofMinutes(1));
        Session session = AcmeDirectory.open(options);
        assertEquals(Duration.ofSeconds(7), session.networkSettings().getTimeout(),
                "every ACME request is bounded by the configured timeout");
    }

    @Test
    void unknownDirectoryAndEmptyBundleAreConfigErrors(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> AcmeDirectory.open(AcmeOptions.of("acme://no-such-ca.example", "ops@example.com", true)),
                "acme4j knows no provider for this acme:// URI: fail at startup, not at the first order");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AcmeDirectory.open(
                AcmeOptions.of("https://ca.example/dir", "ops@example.com", true).withCaBundle(empty)),
                "a CA bundle without certificates would trust nothing");
        assertTrue(e.getMessage().startsWith("caBundle:"), "the error names the setting: " + e.getMessage());
    }

    @Test
    void eabSecretNeverAppearsInToString() {
        AcmeOptions options = AcmeOptions.of("acme://letsencrypt.org", "ops@example.com", true)
                .withEab(new AcmeOptions.ExternalAccountBinding("kid-1", "c2VjcmV0LWhtYWM"));
        assertTrue(options.toString().contains("kid-1"), "the key id helps operators");
        assertTrue(!options.toString().contains("c2VjcmV0LWhtYWM"), "the HMAC key is a secret and never printed");
    }
}
