package dev.portico.tls.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns every Netty leak report into a test failure. Registered for all test classes through
 * {@code META-INF/services} (JUnit extension auto-detection is switched on in the parent POM), so no
 * test can forget it. Tests run with {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer
 * is tracked; after each test class the extension collects garbage, provokes Netty's detectors to
 * drain their queues, and fails the class if anything leaked.
 */
public final class FailOnLeakExtension implements AfterAllCallback {
    private static final List<String> LEAKS = new ArrayList<>();

    static {
        // Must run before Netty's buffer classes build their static detectors; extensions are loaded
        // when the engine starts, before any test class.
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> found = collectLeaks();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty resource leak(s) after "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", found));
        }
    }

    /** Forces collection and detector drains; returns and forgets the leaks reported so far. */
    public static List<String> collectLeaks() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            // Detectors report while tracking a new object: allocate and release to drain their queues.
            for (int i = 0; i < 64; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(1);
                pooled.release();
                ByteBuf heap = UnpooledByteBufAllocator.DEFAULT.heapBuffer(1);
                heap.release();
            }
        }
        synchronized (LEAKS) {
            List<String> copy = List.copyOf(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            super.reportTracedLeak(resourceType, records);
            synchronized (LEAKS) {
                LEAKS.add("LEAK: " + resourceType + records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            super.reportUntracedLeak(resourceType);
            synchronized (LEAKS) {
                LEAKS.add("LEAK: " + resourceType + " (untraced)");
            }
        }
    }
}
