package dev.portico.tls.policy;

import dev.portico.tls.testing.TlsTestClient;
import javax.net.ssl.SSLSocket;

/**
 * Run in a child JVM whose {@code jdk.tls.disabledAlgorithms} no longer lists TLSv1 and TLSv1.1 (that
 * property is read once per JVM, so the test JVM cannot change it for itself without affecting every
 * other test). Tries one handshake per protocol and prints one line each:
 * {@code <protocol> OK <negotiated>} or {@code <protocol> FAIL <exception>}.
 *
 * <p>Arguments: port, SNI name, protocols.
 */
final class LegacyProtocolClient {
    private LegacyProtocolClient() {}

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        String sni = args[1];
        for (int i = 2; i < args.length; i++) {
            String protocol = args[i];
            try (SSLSocket socket = TlsTestClient.connect(TlsTestClient.trustAllContext(), port, sni, protocol)) {
                System.out.println(protocol + " OK " + socket.getSession().getProtocol());
            } catch (Exception e) {
                System.out.println(protocol + " FAIL " + e);
            }
        }
    }
}
