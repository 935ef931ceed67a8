package dev.portico.app.proxy;

import java.util.List;

/**
 * The proxy alone in a JVM, for {@link LargeTransferTest} to start with a small heap and direct memory
 * limit: routes {@code localhost} to the backend port given as argument, prints its ports, exits when
 * its standard input closes.
 */
final class BoundedProxyMain {
    private BoundedProxyMain() {}

    public static void main(String[] args) throws Exception {
        try (ProxyFixture proxy = new ProxyFixture(List.of(ProxyFixture.proxy("localhost", Integer.parseInt(args[0]))))) {
            System.out.println("PORTS " + proxy.httpsPort() + " " + proxy.httpPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        }
    }
}
