package org.parley.signaling.media;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs relay operations off the signaling loop, one ordered lane per relay conference. A remote
 * relay can take up to its request timeout to answer (or not answer at all); on the loop that
 * would stall every session, here it stalls only the conference that needs the relay. Within a
 * lane operations run in submission order, so "allocate, then release, then expire" reaches the
 * relay in the order signaling decided it; different conferences run side by side on a bounded
 * pool of threads.
 */
final class RelayLanes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayLanes.class);

    /**
     * Conferences whose relay calls may be in flight at once. Each blocked call holds a thread for
     * at most the relay's request timeout, so a hung relay costs this many threads, not more;
     * further lanes wait their turn. Sized well above what one relay serves in parallel.
     */
    static final int THREADS = 16;

    private final ThreadPoolExecutor threads;
    /** Lanes with work queued or running; a lane that runs dry is removed. Guarded by itself. */
    private final Map<String, ArrayDeque<Runnable>> lanes = new HashMap<>();

    RelayLanes() {
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "parley-relay-call-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code task} after every task submitted before it for the same {@code lane}. */
    void submit(String lane, Runnable task) {
        synchronized (lanes) {
            ArrayDeque<Runnable> queued = lanes.get(lane);
            if (queued != null) {
                queued.add(task);
                return;
            }
            queued = new ArrayDeque<>();
            queued.add(task);
            lanes.put(lane, queued);
        }
        try {
            threads.execute(() -> drain(lane));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("relay lanes closed, relay call dropped");
        }
    }

    private void drain(String lane) {
        while (true) {
            Runnable next;
            synchronized (lanes) {
                next = lanes.get(lane).poll();
                if (next == null) {
                    lanes.remove(lane);
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.error("relay call failed", e);
            }
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
