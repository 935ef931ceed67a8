package dev.portico.acme.renewal;

import java.util.random.RandomGenerator;

/** A "random" source that always returns the same fraction of any range: exact boundaries in tests. */
record FixedRandom(double fraction) implements RandomGenerator {
    FixedRandom {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction: " + fraction);
        }
    }

    @Override
    public long nextLong() {
        return 0;
    }

    @Override
    public long nextLong(long bound) {
        return (long) Math.floor(bound * fraction);
    }

    @Override
    public double nextDouble() {
        return fraction;
    }
}
