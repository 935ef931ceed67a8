package dev.portico.tls.sni;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The plaintext TLS record of a fatal {@code unrecognized_name} alert, sent before any ServerHello.
 *
 * <p>Layout (RFC 8446 §5.1 and §6, RFC 5246 §6.2.1 and §7.2): content type 21 (alert), a 2-byte
 * record version, length 2, then level 2 (fatal) and description 112 (RFC 6066 §3). TLS 1.3 clients
 * send {@code legacy_version} 0x0303 in the ClientHello and expect 0x0303 on every record
 * (RFC 8446 §5.1), so echoing the ClientHello version capped at TLS 1.2 fits both generations; a
 * TLS 1.0/1.1 client gets its own version back and can parse the alert.
 */
final class UnrecognizedNameAlert {
    static final int TLS_1_2 = 0x0303;

    private static final int CONTENT_TYPE_ALERT = 21;
    private static final int LEVEL_FATAL = 2;
    private static final int UNRECOGNIZED_NAME = 112;
    private static final int TLS_1_0 = 0x0301;

    private UnrecognizedNameAlert() {}

    /** A new buffer holding the record; the caller writes (and thereby releases) it. */
    static ByteBuf record(ByteBufAllocator alloc, int clientVersion) {
        int version = clientVersion < TLS_1_0 || clientVersion > TLS_1_2 ? TLS_1_2 : clientVersion;
        ByteBuf alert = alloc.buffer(7);
        alert.writeByte(CONTENT_TYPE_ALERT);
        alert.writeShort(version);
        alert.writeShort(2);
        alert.writeByte(LEVEL_FATAL);
        alert.writeByte(UNRECOGNIZED_NAME);
        return alert;
    }
}
