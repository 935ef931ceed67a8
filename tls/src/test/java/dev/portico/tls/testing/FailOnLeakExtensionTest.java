package dev.portico.tls.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailOnLeakExtensionTest {

    @Test
    void anUnreleasedBufferIsReportedAsALeak() {
        leakOneBuffer();
        List<String> leaks = List.of();
        // The detector samples every buffer in paranoid mode; a few collection rounds surface it.
        for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++) {
            leaks = FailOnLeakExtension.collectLeaks();
        }
        assertEquals(1, leaks.size(), "the buffer dropped without release() must be reported exactly once: " + leaks);
        assertTrue(leaks.get(0).contains("ByteBuf"), "the report names the leaked resource type: " + leaks.get(0));
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        leaked.writeInt(42);
        // deliberately not released: the reference is dropped here
    }
}
