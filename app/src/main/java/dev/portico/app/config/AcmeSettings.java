package dev.portico.app.config;

import dev.portico.acme.AcmeOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code acme} section: how certificates for public names are obtained. The binding and key
 * type are the acme module's own types, so nothing is translated twice.
 *
 * @param directory an ACME directory as acme4j's {@code Session} takes it: {@code acme://letsencrypt.org},
 *     {@code acme://letsencrypt.org/staging}, {@code acme://pebble/localhost:14000} or an https URL
 * @param caBundle PEM file of CAs to trust for the directory's own TLS (needed for Pebble)
 * @param profile ACME profile name ({@code shortlived}, {@code tlsserver}, ...), when the CA offers profiles
 */
public record AcmeSettings(
        String email,
        URI directory,
        boolean agreeToTerms,
        Optional<Path> caBundle,
        Optional<AcmeOptions.ExternalAccountBinding> eab,
        AcmeOptions.KeyType keyType,
        Optional<String> profile) {

    public AcmeSettings {
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(caBundle, "caBundle");
        Objects.requireNonNull(eab, "eab");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(profile, "profile");
    }
}
