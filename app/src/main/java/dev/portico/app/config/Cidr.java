package dev.portico.app.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/** An address block such as {@code 10.0.0.0/8} or {@code ::1/128}: a trusted proxy's address range. */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefixLength: " + prefixLength + " (expected 0.." + bits + ")");
        }
    }

    /**
     * Parses {@code 10.0.0.0/8}, {@code fd00::/8}, or a single address ({@code 127.0.0.1} means
     * {@code /32}, {@code ::1} means {@code /128}). Never asks DNS. A block whose address has bits set
     * past the prefix ({@code 10.0.0.1/8}) is refused, since it usually hides a typo.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static Cidr parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String addressText = slash < 0 ? t : t.substring(0, slash);
        InetAddress address = IpLiteral.parse(addressText).orElseThrow(() -> new IllegalArgumentException(
                "'" + text + "' is not an address or CIDR block (expected e.g. 10.0.0.0/8, 127.0.0.1, ::1)"));
        int bits = address.getAddress().length * 8;
        if (slash < 0) {
            return new Cidr(address, bits);
        }
        String prefixText = t.substring(slash + 1);
        if (!prefixText.matches("\\d{1,3}") || Integer.parseInt(prefixText) > bits) {
            throw new IllegalArgumentException("'" + text + "': prefix length '" + prefixText + "' (expected 0.." + bits + ")");
        }
        Cidr cidr = new Cidr(address, Integer.parseInt(prefixText));
        Cidr masked = cidr.masked();
        if (!masked.network.equals(address)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set past /" + cidr.prefixLength
                    + " (did you mean " + masked + "?)");
        }
        return cidr;
    }

    /** True when {@code address} lies in this block. */
    public boolean contains(InetAddress address) {
        byte[] a = network.getAddress();
        byte[] b = address.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (b[full] & mask);
    }

    /** This block with the bits past the prefix cleared. */
    private Cidr masked() {
        byte[] a = network.getAddress();
        for (int i = 0; i < a.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            a[i] &= (byte) ((0xFF << (8 - keep)) & 0xFF);
        }
        try {
            return new Cidr(InetAddress.getByAddress(a), prefixLength);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // unreachable: the length is 4 or 16
        }
    }

    @Override
    public String toString() {
        return IpLiteral.format(network) + "/" + prefixLength;
    }
}
