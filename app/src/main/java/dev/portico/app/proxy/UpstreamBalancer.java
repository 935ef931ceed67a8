package dev.portico.app.proxy;

import dev.portico.app.config.RouteAction.Upstream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Round-robin over a route's upstreams with passive health: an upstream that refused a connection (or
 * did not accept one within the connect timeout) is tried last for {@code downFor}, unless all are
 * down, in which case all are tried in turn. Shared by every event loop; lock-free.
 */
public final class UpstreamBalancer {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamBalancer.class);

    private final Clock clock;
    private final Duration downFor;
    private final ConcurrentHashMap<List<Upstream>, AtomicInteger> cursors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Upstream, Instant> downUntil = new ConcurrentHashMap<>();

    public UpstreamBalancer(Clock clock, Duration downFor) {
        this.clock = clock;
        this.downFor = downFor;
    }

    /** The order in which to try {@code upstreams} for one request: healthy first, from the next in turn. */
    List<Upstream> order(List<Upstream> upstreams) {
        int n = upstreams.size();
        if (n == 1) {
            return upstreams;
        }
        int start = Math.floorMod(cursors.computeIfAbsent(upstreams, k -> new AtomicInteger()).getAndIncrement(), n);
        Instant now = clock.instant();
        List<Upstream> healthy = new ArrayList<>(n);
        List<Upstream> down = new ArrayList<>(0);
        for (int i = 0; i < n; i++) {
            Upstream u = upstreams.get((start + i) % n);
            Instant until = downUntil.get(u);
            (until != null && now.isBefore(until) ? down : healthy).add(u);
        }
        healthy.addAll(down);
        return healthy;
    }

    /** Records that {@code upstream} refused or timed out a connection. */
    void markDown(Upstream upstream) {
        Instant now = clock.instant();
        Instant until = now.plus(downFor);
        Instant before = downUntil.put(upstream, until);
        if (before == null || !now.isBefore(before)) {
            LOG.warn("event=upstream_unreachable upstream={} skipped_until={}", upstream, until);
        }
    }

    /**
     * Forgets the turn and health of upstream lists that {@code live} (the routes' lists after a reload)
     * no longer has, so that reloads with changing upstreams do not grow these maps. Any thread; a
     * request still on the old routes may add an entry back, which the next reload removes.
     */
    public void retainOnly(Collection<List<Upstream>> live) {
        Set<List<Upstream>> lists = Set.copyOf(live);
        Set<Upstream> upstreams = new HashSet<>();
        lists.forEach(upstreams::addAll);
        cursors.keySet().retainAll(lists);
        downUntil.keySet().retainAll(upstreams);
    }

    /** Records that {@code upstream} accepted a connection. */
    void markUp(Upstream upstream) {
        if (!downUntil.isEmpty()) {
            downUntil.remove(upstream);
        }
    }
}
