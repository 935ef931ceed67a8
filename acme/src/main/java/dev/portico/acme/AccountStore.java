package dev.portico.acme;

import dev.portico.tls.storage.Storage;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACME account of one directory: its key is created once, kept in storage as a secret
 * ({@code acme/<directory-id>/account.key}) with the account URL ({@code account.url}) next to it,
 * and reused after restarts.
 *
 * <p>Creation is serialized inside the process (one lock per directory id, taken before the storage
 * lock because file locks do not exclude threads of one JVM) and across processes through
 * {@code Storage.lock("acme-account-<id>")}; the key is stored before the account is registered, so a
 * crash in between re-registers the same key, which RFC 8555 §7.3.1 answers with the existing account.
 * Two first orders racing therefore create exactly one account.
 *
 * <p>Control plane only: every method may do file and network I/O.
 */
final class AccountStore {
    private static final Logger LOG = LoggerFactory.getLogger(AccountStore.class);
    private static final Map<String, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final AcmeOptions options;
    private final Storage storage;
    private final String id;
    private volatile Login cached;

    AccountStore(AcmeOptions options, Storage storage) {
        this.options = options;
        this.storage = storage;
        this.id = AcmeDirectory.id(options.directory());
    }

    String keyPath() {
        return "acme/" + id + "/account.key";
    }

    String urlPath() {
        return "acme/" + id + "/account.url";
    }

    /** A login for {@code session}, registering the account on first use. */
    @SuppressWarnings("try") // the storage lock is held for the block's duration only
    Login login(Session session) throws AcmeException, IOException {
        Login login = cached;
        if (login != null && login.getSession() == session) {
            return login;
        }
        ReentrantLock processLock = PROCESS_LOCKS.computeIfAbsent(id, k -> new ReentrantLock());
        processLock.lock();
        try (Storage.Lock ignored = storage.lock("acme-account-" + id)) {
            login = loginOrRegister(session, false);
            cached = login;
            return login;
        } finally {
            processLock.unlock();
        }
    }

    /**
     * After the CA said the stored account does not exist (a test CA restarted, a staging reset):
     * registers the stored key again and returns the new login.
     */
    @SuppressWarnings("try") // the storage lock is held for the block's duration only
    Login reregister(Session session) throws AcmeException, IOException {
        ReentrantLock processLock = PROCESS_LOCKS.computeIfAbsent(id, k -> new ReentrantLock());
        processLock.lock();
        try (Storage.Lock ignored = storage.lock("acme-account-" + id)) {
            cached = null;
            Login login = loginOrRegister(session, true);
            cached = login;
            return login;
        } finally {
            processLock.unlock();
        }
    }

    private Login loginOrRegister(Session session, boolean forceRegister) throws AcmeException, IOException {
        Optional<KeyPair> storedKey = storage.load(keyPath()).map(AccountStore::readKeyPair);
        Optional<URL> storedUrl = storage.load(urlPath())
                .map(b -> new String(b, StandardCharsets.UTF_8).strip()).filter(s -> !s.isEmpty()).map(AccountStore::url);
        if (storedKey.isPresent() && storedUrl.isPresent() && !forceRegister) {
            return session.login(storedUrl.get(), storedKey.get());
        }
        KeyPair key = storedKey.orElse(null);
        if (key == null) {
            key = KeyPairUtils.createECKeyPair("secp256r1");
            storage.store(keyPath(), writeKeyPair(key), true);
        }
        AccountBuilder builder = new AccountBuilder().addEmail(options.email()).useKeyPair(key);
        if (options.agreeToTerms()) {
            builder.agreeToTermsOfService();
        }
        options.eab().ifPresent(eab -> builder.withKeyIdentifier(eab.keyId(), eab.hmacKey()));
        Account account = builder.create(session);
        URL location = account.getLocation();
        storage.store(urlPath(), (location.toString() + "\n").getBytes(StandardCharsets.UTF_8), false);
        LOG.info("acme account registered directory={} account={} contact={}", options.directory(), location,
                options.email());
        return session.login(location, key);
    }

    private static KeyPair readKeyPair(byte[] pem) {
        try {
            return KeyPairUtils.readKeyPair(new StringReader(new String(pem, StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new IllegalStateException("account key in storage is unreadable: " + e.getMessage(), e);
        }
    }

    static byte[] writeKeyPair(KeyPair key) throws IOException {
        StringWriter out = new StringWriter();
        KeyPairUtils.writeKeyPair(key, out);
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static URL url(String s) {
        try {
            return URI.create(s).toURL();
        } catch (java.net.MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("account URL in storage is malformed: " + s, e);
        }
    }
}
