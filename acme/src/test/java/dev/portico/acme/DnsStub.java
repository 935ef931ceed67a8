package dev.portico.acme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * A UDP DNS server for Pebble's validation lookups: every A query gets 127.0.0.1, every other type
 * an empty NOERROR answer (no AAAA, because Pebble dials only the first address and asks AAAA first).
 * Test-only; one daemon thread; close to stop.
 */
final class DnsStub implements AutoCloseable {
    private static final int TYPE_A = 1;
    private final DatagramSocket socket;
    private final Thread thread;

    DnsStub() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "dns-stub");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket query = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(query);
                byte[] answer = answer(buf, query.getLength());
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
                }
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    /** RFC 1035 §4.1: header, the question copied, and one A record pointing back at the question name. */
    static byte[] answer(byte[] q, int length) {
        if (length < 12) {
            return null;
        }
        int i = 12;
        while (i < length && q[i] != 0) {
            i += (q[i] & 0xff) + 1;
        }
        int questionEnd = i + 5; // zero label, QTYPE, QCLASS
        if (questionEnd > length) {
            return null;
        }
        int qtype = ((q[i + 1] & 0xff) << 8) | (q[i + 2] & 0xff);
        boolean a = qtype == TYPE_A;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]);
        out.write(0x84); // QR, AA
        out.write(0x00); // NOERROR
        out.writeBytes(new byte[] {0, 1, 0, (byte) (a ? 1 : 0), 0, 0, 0, 0});
        out.write(q, 12, questionEnd - 12);
        if (a) {
            out.writeBytes(new byte[] {(byte) 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1});
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
