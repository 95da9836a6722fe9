package org.parley.cluster.relay;

import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.parley.relay.api.RemoteRelayControl;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.signaling.media.RelayRoutes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A signaling node's view of the relay pool: places each conference on a registered relay (the
 * placement shared in Redis), drives it through the relay's HTTP control API, and moves a relay's
 * conferences to another relay when it stops answering (registration expired, or its control API
 * unreachable) or drains. Listeners then make every endpoint again on the new relay and tell each
 * device {@code relay.reset} (reason {@code relay_moved}). Checks run on one thread of its own every
 * check interval, and at once when a relay call finds the relay gone.
 */
public final class RelayPool implements RelayRoutes, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayPool.class);

    /** How the pool reaches relays' control APIs. */
    public record Control(String secret, Duration connectTimeout, Duration requestTimeout, Duration watchInterval) {
    }

    private final RelayPoolConfig config;
    private final Control control;
    private final Clock clock;
    private final RelayDirectory directory;
    private final ConferencePlacement placement;
    private final ConferenceSpread spread;
    private final java.security.SecureRandom random = new java.security.SecureRandom();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-relay-pool");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<Set<String>>> movedListeners = new CopyOnWriteArrayList<>();
    /** The relays registered at the last check. */
    private volatile Map<String, RelayInfo> live = Map.of();
    /** Conference → relay id, for the conferences this node uses. Changed under {@code this}. */
    private final Map<String, String> placed = new ConcurrentHashMap<>();
    private final Map<String, RemoteRelayControl> controls = new ConcurrentHashMap<>();
    /** Conferences this node placed on each relay since the relays last reported their load. */
    private final Map<String, Integer> placedSinceReport = new ConcurrentHashMap<>();
    /** Relays moved away from as unreachable, until when they are not used again (they may be half up). */
    private final Map<String, Long> shunnedUntil = new ConcurrentHashMap<>();
    /** When each relay was last seen healthy: where a move's duration starts. */
    private final Map<String, Long> lastHealthy = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer moveDuration;
    private volatile boolean redisFailing;
    private long checks;

    public RelayPool(RedisCommands<String, String> redis, RelayPoolConfig config, Control control,
            MeterRegistry registry, Clock clock) {
        this.config = config;
        this.control = control;
        this.clock = clock;
        this.registry = registry;
        this.directory = new RelayDirectory(redis);
        this.placement = new ConferencePlacement(redis, config.placementTtl());
        this.spread = new ConferenceSpread(redis, config.placementTtl());
        this.moveDuration = Timer.builder("parley.relay.pool.move.duration")
                .description("From the last time a relay was seen healthy to its conferences placed on another")
                .register(registry);
        Gauge.builder("parley.relay.pool.relays", () -> live.size())
                .description("Relays registered in the pool at the last check").register(registry);
        Gauge.builder("parley.relay.pool.conferences", placed, Map::size)
                .description("Conferences this node has placed on the pool's relays").register(registry);
    }

    /** Reads the pool once, then checks it every check interval. */
    public void start() {
        check();
        long every = config.checkInterval().toMillis();
        checker.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public boolean single() {
        return false;
    }

    @Override
    public RelayControl relayFor(String conferenceId) {
        String id = placed.get(conferenceId);
        RemoteRelayControl c = id == null ? null : controls.get(id);
        return c != null ? c : place(conferenceId);
    }

    @Override
    public Optional<RelayControl> placed(String conferenceId) {
        String id = placed.get(conferenceId);
        return Optional.ofNullable(id == null ? null : controls.get(id));
    }

    /**
     * The relay of one endpoint (cascading): the conference's relay while it has fewer than
     * {@code max-endpoints-per-relay} of the conference's endpoints, else the first other relay of
     * the conference with room, else a new relay from the pool, linked to each relay the
     * conference is on. With no relay left to spread to, the endpoint goes to the conference's
     * relay all the same (the relay's own {@code max-endpoints} still refuses what it cannot serve).
     */
    @Override
    public RelayControl relayFor(String conferenceId, String endpointId) {
        RelayControl first = relayFor(conferenceId);
        if (config.maxEndpointsPerRelay() == 0) {
            return first;
        }
        return spreadTo(conferenceId, endpointId, first);
    }

    private synchronized RelayControl spreadTo(String conferenceId, String endpointId, RelayControl first) {
        String primary = placed.get(conferenceId);
        String at = spread.relayOf(conferenceId, endpointId);
        if (at == null || !controls.containsKey(at) && !live.containsKey(at)) {
            at = null;
            List<String> relays = spread.relays(conferenceId, primary);
            Map<String, Integer> counts = spread.counts(conferenceId);
            for (String r : relays) {
                if (counts.getOrDefault(r, 0) < config.maxEndpointsPerRelay() && healthy(r, live)) {
                    at = r;
                    break;
                }
            }
            if (at == null) {
                at = addRelay(conferenceId, relays).orElse(primary);
            }
            spread.assign(conferenceId, endpointId, at);
        }
        if (at.equals(primary)) {
            return first;
        }
        RelayInfo info = live.get(at);
        RemoteRelayControl c = info == null ? controls.get(at) : controls.computeIfAbsent(at, k -> connect(info));
        if (c == null) {
            throw new RelayException(RelayException.Reason.UNAVAILABLE, "relay " + at + " left the pool");
        }
        return c;
    }

    /** Spreads the conference to one more relay, linked to each of {@code relays}; empty when none is free. */
    private Optional<String> addRelay(String conferenceId, List<String> relays) {
        Set<String> avoid = new HashSet<>(shunned());
        avoid.addAll(relays);
        Optional<RelayInfo> next = RelayChoice.pick(live.values(), config.preferredRegion(), avoid, placedSinceReport);
        if (next.isEmpty()) {
            LOG.warn("conference {} is full on its relays {} and no other relay takes it", conferenceId, relays);
            return Optional.empty();
        }
        RelayInfo info = next.get();
        RemoteRelayControl added = controls.computeIfAbsent(info.id(), k -> connect(info));
        added.createConference(conferenceId);
        for (String r : relays) {
            RemoteRelayControl other = controls.get(r);
            if (other != null) {
                link(conferenceId, r, other, info.id(), added);
            }
        }
        placedSinceReport.merge(info.id(), 1, Integer::sum);
        LOG.info("conference {} spread to relay {}, linked to {}", conferenceId, info.id(), relays);
        return Optional.of(info.id());
    }

    /** Links the conference on two relays: the same link id and fresh SRTP keys at both ends. */
    private void link(String conferenceId, String aId, RemoteRelayControl a, String bId, RemoteRelayControl b) {
        byte[] keys = new byte[org.parley.relay.cascade.LinkSocket.KEYING_MATERIAL_LENGTH];
        random.nextBytes(keys);
        int linkId = random.nextInt();
        a.linkConference(conferenceId, bId, new org.parley.relay.control.LinkSpec(linkId, b.linkAddress(), keys, true));
        b.linkConference(conferenceId, aId, new org.parley.relay.control.LinkSpec(linkId, a.linkAddress(), keys, false));
    }

    @Override
    public Optional<RelayControl> placed(String conferenceId, String endpointId) {
        if (config.maxEndpointsPerRelay() > 0) {
            String at;
            synchronized (this) {
                at = spread.relayOf(conferenceId, endpointId);
            }
            RemoteRelayControl c = at == null ? null : controls.get(at);
            if (c != null) {
                return Optional.of(c);
            }
        }
        return placed(conferenceId);
    }

    @Override
    public List<RelayControl> allPlaced(String conferenceId) {
        List<RelayControl> out = new java.util.ArrayList<>();
        String primary = placed.get(conferenceId);
        List<String> relays;
        synchronized (this) {
            relays = config.maxEndpointsPerRelay() > 0 ? spread.relays(conferenceId, primary)
                    : primary == null ? List.of() : List.of(primary);
        }
        for (String r : relays) {
            RemoteRelayControl c = controls.get(r);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public synchronized void released(String conferenceId, String endpointId) {
        if (config.maxEndpointsPerRelay() > 0) {
            spread.release(conferenceId, endpointId);
        }
    }

    private synchronized RelayControl place(String conferenceId) {
        Optional<String> existing = placement.get(conferenceId);
        if (existing.isPresent() && !live.containsKey(existing.get())) {
            live = directory.read(); // placed by another node on a relay registered since our last check
        }
        String relayId;
        if (existing.isPresent() && healthy(existing.get(), live)) {
            relayId = existing.get();
        } else {
            Optional<RelayInfo> pick = RelayChoice.pick(live.values(), config.preferredRegion(), shunned(),
                    placedSinceReport);
            if (pick.isEmpty()) {
                // relays may have registered since the last check (a pool starting up): look again
                live = directory.read();
                pick = RelayChoice.pick(live.values(), config.preferredRegion(), shunned(), placedSinceReport);
            }
            int registered = live.size();
            RelayInfo chosen = pick.orElseThrow(() -> new RelayException(RelayException.Reason.UNAVAILABLE,
                    "no relay in the pool takes conferences (" + registered + " registered)"));
            relayId = existing.isPresent() ? placement.replace(conferenceId, existing.get(), chosen.id())
                    : placement.claim(conferenceId, chosen.id());
            placedSinceReport.merge(relayId, 1, Integer::sum);
        }
        RelayInfo info = live.get(relayId);
        if (info == null) {
            throw new RelayException(RelayException.Reason.UNAVAILABLE, "relay " + relayId + " left the pool");
        }
        placed.put(conferenceId, relayId);
        return controls.computeIfAbsent(relayId, k -> connect(info));
    }

    private boolean healthy(String relayId, Map<String, RelayInfo> now) {
        RelayInfo info = now.get(relayId);
        return info != null && info.takesConferences() && !shunned().contains(relayId);
    }

    private Set<String> shunned() {
        long t = clock.millis();
        shunnedUntil.values().removeIf(until -> until < t);
        return shunnedUntil.keySet();
    }

    private RemoteRelayControl connect(RelayInfo info) {
        RemoteRelayControl c = new RemoteRelayControl(info.controlUrl(), control.secret(), control.connectTimeout(),
                control.requestTimeout());
        // keeps reachability current while idle: a dead relay is noticed within this interval
        c.watch(control.watchInterval());
        return c;
    }

    @Override
    public void ended(String conferenceId) {
        synchronized (this) {
            spread.forget(conferenceId);
        }
        if (placed.remove(conferenceId) != null) {
            try {
                placement.forget(conferenceId);
            } catch (RuntimeException e) {
                LOG.debug("placement of {} not forgotten (it expires): {}", conferenceId, e.toString());
            }
        }
    }

    @Override
    public void unreachable(String conferenceId) {
        try {
            checker.execute(this::check);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // stopping: nothing moves any more
        }
    }

    @Override
    public void onMoved(Consumer<Set<String>> moved) {
        movedListeners.add(moved);
    }

    /** Reads the pool and moves the conferences of relays that died, stopped answering or drain. */
    private void check() {
        try {
            live = directory.read();
            placedSinceReport.clear();
            if (redisFailing) {
                redisFailing = false;
                LOG.info("relay pool readable again");
            }
        } catch (RuntimeException e) {
            // Without the registry nothing can be told apart; relays keep serving what they have.
            if (!redisFailing) {
                redisFailing = true;
                LOG.warn("relay pool not readable, no relay moves until it is: {}", e.toString());
            }
            return;
        }
        long now = clock.millis();
        for (String relayId : new HashSet<>(placed.values())) {
            String trouble = trouble(relayId);
            if (trouble == null) {
                lastHealthy.put(relayId, now);
            } else {
                move(relayId, trouble);
            }
        }
        if (config.maxEndpointsPerRelay() > 0) {
            leaveDeadLinkedRelays();
        }
        forgetRelaysNotInUse();
        if (++checks % renewEveryChecks() == 0) {
            placed.keySet().forEach(c -> {
                try {
                    placement.renew(c);
                    spread.renew(c);
                } catch (RuntimeException e) {
                    LOG.debug("placement not renewed: {}", e.toString());
                }
            });
        }
    }

    /** Renewing at a tenth of the placement TTL survives several missed renewals. */
    private long renewEveryChecks() {
        return Math.max(1, config.placementTtl().toMillis() / 10 / config.checkInterval().toMillis());
    }

    /** Why a relay must be left, or null when it serves. */
    private String trouble(String relayId) {
        RelayInfo info = live.get(relayId);
        if (info == null) {
            return "expired";
        }
        if (info.draining()) {
            return "draining";
        }
        RemoteRelayControl c = controls.get(relayId);
        if (c != null && c.reachability() == RemoteRelayControl.Reachability.UNREACHABLE) {
            return "unreachable";
        }
        return null;
    }

    private void move(String relayId, String reason) {
        long started = lastHealthy.getOrDefault(relayId, clock.millis());
        boolean alive = "draining".equals(reason);
        if (!alive) {
            // not placed on again until its registration has surely expired, should it answer meanwhile
            shunnedUntil.put(relayId, clock.millis() + config.ttl().toMillis() * 2);
        }
        Set<String> moved = new HashSet<>();
        Map<String, String> to = new HashMap<>();
        synchronized (this) {
            for (Map.Entry<String, String> e : placed.entrySet()) {
                if (!e.getValue().equals(relayId)) {
                    continue;
                }
                Set<String> avoid = new HashSet<>(shunned());
                avoid.add(relayId);
                Optional<RelayInfo> next = RelayChoice.pick(live.values(), config.preferredRegion(), avoid,
                        placedSinceReport);
                if (next.isEmpty()) {
                    continue; // tried again at the next check
                }
                try {
                    String now = placement.replace(e.getKey(), relayId, next.get().id());
                    RelayInfo info = live.get(now);
                    if (info == null) {
                        continue;
                    }
                    controls.computeIfAbsent(now, k -> connect(info));
                    placedSinceReport.merge(now, 1, Integer::sum);
                    e.setValue(now);
                    moved.add(e.getKey());
                    to.put(e.getKey(), now);
                } catch (RuntimeException x) {
                    LOG.warn("conference {} not moved from relay {}: {}", e.getKey(), relayId, x.toString());
                }
            }
        }
        if (moved.isEmpty()) {
            LOG.warn("relay {} {}: no other relay takes its conferences now", relayId, reason);
            return;
        }
        RemoteRelayControl old = alive ? controls.get(relayId) : controls.remove(relayId);
        if (old != null) {
            if (alive) {
                // a draining relay still answers: free it now so that it can exit
                for (String conference : moved) {
                    try {
                        old.expireConference(conference);
                    } catch (RuntimeException x) {
                        LOG.debug("conference {} not expired on draining relay: {}", conference, x.toString());
                    }
                }
            } else {
                old.close();
            }
        }
        Counter.builder("parley.relay.pool.moves").tag("reason", reason)
                .description("Conferences moved to another relay, by why their relay was left")
                .register(registry).increment(moved.size());
        moveDuration.record(Math.max(0, clock.millis() - started), TimeUnit.MILLISECONDS);
        LOG.warn("relay {} {}: moved {} conferences {}", relayId, reason, moved.size(), to);
        for (Consumer<Set<String>> l : movedListeners) {
            try {
                l.accept(Set.copyOf(moved));
            } catch (RuntimeException x) {
                LOG.error("relay move listener failed", x);
            }
        }
    }

    /** Closes the control clients of relays that left the pool and serve none of our conferences. */
    /**
     * A spread conference whose linked (not first) relay died or drains starts over on its first
     * relay: the conference is expired on the relays that are left (their links to the dead relay
     * go with it), its spread is forgotten, and the move listeners make every endpoint again, spread
     * afresh from the first relay; each device gets {@code relay.reset} as on any move.
     */
    private void leaveDeadLinkedRelays() {
        Map<String, String> left = new HashMap<>();
        synchronized (this) {
            for (Map.Entry<String, String> e : placed.entrySet()) {
                for (String r : spread.relays(e.getKey(), e.getValue())) {
                    String trouble = r.equals(e.getValue()) ? null : trouble(r);
                    if (trouble != null) {
                        left.put(e.getKey(), r + " " + trouble);
                        break;
                    }
                }
            }
            for (Map.Entry<String, String> e : left.entrySet()) {
                String conference = e.getKey();
                String dead = e.getValue().substring(0, e.getValue().indexOf(' '));
                for (String r : spread.relays(conference, placed.get(conference))) {
                    RemoteRelayControl c = controls.get(r);
                    if (!r.equals(dead) && c != null) {
                        try {
                            c.expireConference(conference);
                        } catch (RuntimeException x) {
                            LOG.debug("conference {} not expired on relay {}: {}", conference, r, x.toString());
                        }
                    }
                }
                spread.forget(conference);
                if (!e.getValue().endsWith("draining")) {
                    shunnedUntil.put(dead, clock.millis() + config.ttl().toMillis() * 2);
                }
            }
        }
        if (left.isEmpty()) {
            return;
        }
        LOG.warn("linked relays left, conferences set up again from their first relay: {}", left);
        Counter.builder("parley.relay.pool.moves").tag("reason", "linked_relay")
                .description("Conferences moved to another relay, by why their relay was left")
                .register(registry).increment(left.size());
        for (Consumer<Set<String>> l : movedListeners) {
            try {
                l.accept(Set.copyOf(left.keySet()));
            } catch (RuntimeException x) {
                LOG.error("relay move listener failed", x);
            }
        }
    }

    private void forgetRelaysNotInUse() {
        Set<String> inUse = new HashSet<>(placed.values());
        controls.entrySet().removeIf(e -> {
            if (!inUse.contains(e.getKey()) && !live.containsKey(e.getKey())) {
                e.getValue().close();
                lastHealthy.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    @Override
    public void close() {
        checker.shutdownNow();
        controls.values().forEach(RemoteRelayControl::close);
        controls.clear();
    }
}
