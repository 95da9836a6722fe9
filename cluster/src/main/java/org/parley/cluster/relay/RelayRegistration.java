package org.parley.cluster.relay;

import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay's entry in the pool: its control URL, region and load, written every refresh interval
 * with a TTL of a few intervals, so a relay that dies (even {@code kill -9}) drops out of the pool
 * on its own. {@link #drain()} marks it draining: signaling nodes move its conferences away and
 * place none on it. A clean stop removes the entry at once.
 */
public final class RelayRegistration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayRegistration.class);

    private final RedisCommands<String, String> redis;
    private final RelayPoolConfig config;
    private final Supplier<URI> controlUrl;
    private final Supplier<RelayLoad> load;
    private final Clock clock;
    private final String id = UUID.randomUUID().toString();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-relay-registration");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean draining;
    private volatile boolean failing;

    /**
     * @param controlUrl this relay's control API origin, read once the HTTP listener is bound
     */
    public RelayRegistration(RedisCommands<String, String> redis, RelayPoolConfig config, Supplier<URI> controlUrl,
            Supplier<RelayLoad> load, Clock clock) {
        this.redis = redis;
        this.config = config;
        this.controlUrl = controlUrl;
        this.load = load;
        this.clock = clock;
    }

    /** The id other nodes know this relay by; new on every start. */
    public String id() {
        return id;
    }

    /** Registers now and then every refresh interval. */
    public void start() {
        refresh();
        long every = config.refreshInterval().toMillis();
        timer.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        LOG.info("relay {} registered in the pool at {} (region '{}')", id, controlUrl.get(), config.region());
    }

    /** Takes no new conferences and asks signaling to move the ones it has (SIGTERM). */
    public void drain() {
        draining = true;
        timer.execute(this::refresh);
    }

    private void refresh() {
        RelayInfo me = new RelayInfo(id, controlUrl.get(), config.region(), load.get(), draining, clock.millis());
        String key = RelayKeys.relay(id);
        try {
            redis.hset(key, me.fields());
            redis.pexpire(key, config.ttl().toMillis());
            redis.sadd(RelayKeys.INDEX, id);
            if (failing) {
                failing = false;
                LOG.info("relay registration refreshed again");
            }
        } catch (RuntimeException e) {
            // Redis away: the entry expires and signaling places nothing new here; logged once
            if (!failing) {
                failing = true;
                LOG.warn("relay registration not refreshed: {}", e.toString());
            }
        }
    }

    /** Leaves the pool at once (a clean stop), so nobody waits for the TTL. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
            redis.del(RelayKeys.relay(id));
            redis.srem(RelayKeys.INDEX, id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("relay registration not removed: {}", e.toString());
        }
    }
}
