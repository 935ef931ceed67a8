package dev.portico.app.config;

import dev.portico.tls.sni.HostPattern;
import java.util.List;
import java.util.Optional;

/**
 * Whether a public CA could issue for a host name. Not public: {@code localhost} and names under
 * {@code .localhost}, IP addresses, single-label names, and names under the special-use or private
 * suffixes {@code .local .internal .test .example .invalid .home.arpa .lan} (RFC 2606, RFC 6761,
 * RFC 6762, RFC 8375, and the ICANN-reserved {@code .internal}).
 */
final class PublicName {
    static final List<String> PRIVATE_SUFFIXES =
            List.of("localhost", "local", "internal", "test", "example", "invalid", "home.arpa", "lan");

    private PublicName() {}

    /** Empty when {@code host} is a public name; else why it is not, for a message. */
    static Optional<String> whyNot(HostPattern host) {
        String name = host.name();
        if (IpLiteral.parse(name).isPresent()) {
            return Optional.of("an IP address");
        }
        for (String suffix : PRIVATE_SUFFIXES) {
            if (name.equals(suffix) || name.endsWith("." + suffix)) {
                return Optional.of(suffix.equals("localhost") ? "a loopback name" : "under ." + suffix + ", a private or reserved suffix");
            }
        }
        if (!host.wildcard() && name.indexOf('.') < 0) {
            return Optional.of("a single-label name");
        }
        return Optional.empty();
    }
}
