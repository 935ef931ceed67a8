package dev.portico.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {
    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(Main.NETTY_LOW_MEMORY);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Main.NETTY_LOW_MEMORY);
        } else {
            System.setProperty(Main.NETTY_LOW_MEMORY, before);
        }
    }

    @Test
    void nettyPoolsFullyWhateverTheHeapSize() {
        System.clearProperty(Main.NETTY_LOW_MEMORY);

        Main.useFullBufferPooling();

        assertEquals("false", System.getProperty(Main.NETTY_LOW_MEMORY),
                "without it, a heap of 512 MiB or less puts Netty's allocator in its unpooled small-host mode");
    }

    @Test
    void anOperatorsChoiceStands() {
        System.setProperty(Main.NETTY_LOW_MEMORY, "true");

        Main.useFullBufferPooling();

        assertEquals("true", System.getProperty(Main.NETTY_LOW_MEMORY), "-Dio.netty.allocator.lowMemory=true is kept");
    }
}
