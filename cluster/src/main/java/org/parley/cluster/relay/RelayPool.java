package org.parley.cluster.relay;

import io.lettuce.core.api.sync.RedisCommands;
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
    private final RelayLinks links = new RelayLinks();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-relay-pool");
        t.setDaemon(true);
        return t;
    });
    private final PoolMoves moves;
    private final NodeRegions regions;
    /** The region a room asked for its first relay ({@code room.create}), by conference. */
    private final Map<String, String> askedRegions = new ConcurrentHashMap<>();
    /** "conference relay" of linked relays left, whose endpoints were moved (once each). */
    private final Set<String> linkedLeft = ConcurrentHashMap.newKeySet();
    /** Set once relays of two regions registered: from then on endpoints are placed by region. */
    private volatile boolean regional;
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
    private final Timer moveDuration;
    private volatile boolean redisFailing;
    private long checks;

    public RelayPool(RedisCommands<String, String> redis, RelayPoolConfig config, Control control,
            MeterRegistry registry, Clock clock) {
        this(redis, config, control, registry, clock, "");
    }

    /**
     * @param node this signaling node's id ({@code parley.cluster.node-id}), under which it
     *        publishes its preferred region for the nodes that allocate its devices' endpoints
     */
    public RelayPool(RedisCommands<String, String> redis, RelayPoolConfig config, Control control,
            MeterRegistry registry, Clock clock, String node) {
        this.config = config;
        this.regions = new NodeRegions(redis, node, config.preferredRegion(), config.placementTtl());
        this.control = control;
        this.clock = clock;
        this.moves = new PoolMoves(registry);
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
        regions.publish();
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
        return c != null ? c : place(conferenceId, askedRegions.getOrDefault(conferenceId, config.preferredRegion()));
    }

    @Override
    public Optional<RelayControl> placed(String conferenceId) {
        String id = placed.get(conferenceId);
        return Optional.ofNullable(id == null ? null : controls.get(id));
    }

    /**
     * The relay of one endpoint (cascading, regions; docs/cluster.md): the first relay of the
     * conference in the region of the device's node with room for it (fewer than
     * {@code max-endpoints-per-relay} of the conference's endpoints, when set), else a new relay of
     * that region, linked to each relay the conference is on. With relays of one region or none, and
     * no limit per relay, the conference's relay. With no relay left to spread to, the conference's
     * relay all the same (the relay's own {@code max-endpoints} still refuses what it cannot serve).
     */
    @Override
    public RelayControl relayFor(String conferenceId, String endpointId) {
        return relayFor(conferenceId, endpointId, null);
    }

    @Override
    public RelayControl relayFor(String conferenceId, String endpointId, String deviceNode) {
        String region = regional ? regions.of(deviceNode) : "";
        String id = placed.get(conferenceId);
        RemoteRelayControl c = id == null ? null : controls.get(id);
        // a new conference's first relay: the room's asked region, else the first device's
        RelayControl first = c != null ? c : place(conferenceId, askedRegions.getOrDefault(conferenceId,
                region.isEmpty() ? config.preferredRegion() : region));
        return spreads() ? spreadTo(conferenceId, endpointId, first, region) : first;
    }

    /** Whether endpoints of one conference may be on different relays. */
    private boolean spreads() {
        return config.maxEndpointsPerRelay() > 0 || regional;
    }

    @Override
    public void askRegion(String conferenceId, String region) {
        askedRegions.put(conferenceId, region);
    }

    private synchronized RelayControl spreadTo(String conferenceId, String endpointId, RelayControl first,
            String region) {
        String primary = placed.get(conferenceId);
        String at = spread.relayOf(conferenceId, endpointId);
        if (at == null || !at.equals(primary) && !healthy(at, live)) {
            // new, or on a linked relay that was left: placed (again) knowing what other nodes placed
            String before = at;
            spread.reload(conferenceId);
            String known = spread.relayOf(conferenceId, endpointId);
            if (known != null && !known.equals(before) && (known.equals(primary) || healthy(known, live))) {
                at = known; // another node placed it since this node last read (e.g. before a take-over)
            } else {
                at = choose(conferenceId, primary, region);
                if (before == null && at.equals(primary) && !regional && config.maxEndpointsPerRelay() == 0) {
                    return first; // whole on its relay: nothing written, as before cascading and regions
                }
                spread.assign(conferenceId, endpointId, at);
            }
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

    /**
     * A new endpoint's relay: of the conference's relays that serve (first relay first), the first in
     * {@code region} (when the pool has a relay there) with room; else a new relay (of that region
     * if it has one), linked; else the first relay.
     */
    private String choose(String conferenceId, String primary, String region) {
        List<String> relays = spread.relays(conferenceId, primary);
        Map<String, Integer> counts = spread.counts(conferenceId);
        boolean inRegion = !region.isEmpty() && live.values().stream()
                .anyMatch(r -> region.equals(r.region()) && healthy(r.id(), live));
        int max = config.maxEndpointsPerRelay();
        if (max == 0 && !inRegion) {
            return primary;
        }
        for (String r : relays) {
            if (healthy(r, live) && (!inRegion || region.equals(live.get(r).region()))
                    && (max == 0 || counts.getOrDefault(r, 0) < max)) {
                return r;
            }
        }
        return addRelay(conferenceId, relays, inRegion ? region : config.preferredRegion()).orElse(primary);
    }

    /** Spreads the conference to one more relay, linked to each of {@code relays} that serves; empty when none is free. */
    private Optional<String> addRelay(String conferenceId, List<String> relays, String region) {
        Set<String> avoid = new HashSet<>(shunned());
        avoid.addAll(relays);
        Optional<RelayInfo> next = RelayChoice.pick(live.values(), region, avoid, placedSinceReport);
        if (next.isEmpty()) {
            LOG.warn("conference {} is full on its relays {} and no other relay takes it", conferenceId, relays);
            return Optional.empty();
        }
        RelayInfo info = next.get();
        RemoteRelayControl added = controls.computeIfAbsent(info.id(), k -> connect(info));
        List<String> linked = new java.util.ArrayList<>();
        try {
            added.createConference(conferenceId);
            for (String r : relays) {
                RemoteRelayControl other = controls.get(r);
                if (other != null && healthy(r, live)) {
                    other.createConference(conferenceId); // a new conference's first relay may have none yet
                    links.link(conferenceId, r, other, info.id(), added);
                    linked.add(r);
                }
            }
        } catch (RuntimeException e) {
            // e.g. a relay without a link socket (parley.relay.cascade.port = -1): stay on the first relay
            LOG.warn("conference {} not spread to relay {}: {}", conferenceId, info.id(), e.toString());
            for (String r : linked) {
                RelayLinks.quietly(controls.get(r), c -> c.unlinkConference(conferenceId, info.id()));
            }
            RelayLinks.quietly(added, c -> c.expireConference(conferenceId));
            return Optional.empty();
        }
        placedSinceReport.merge(info.id(), 1, Integer::sum);
        LOG.info("conference {} spread to relay {} ({}), linked to {}", conferenceId, info.id(), info.region(), linked);
        return Optional.of(info.id());
    }

    @Override
    public Optional<RelayControl> placed(String conferenceId, String endpointId) {
        String at;
        synchronized (this) {
            at = spreads() ? spread.relayOf(conferenceId, endpointId) : null;
        }
        RemoteRelayControl c = at == null ? null : controls.get(at);
        return c != null ? Optional.of(c) : placed(conferenceId);
    }

    @Override
    public List<RelayControl> allPlaced(String conferenceId) {
        String primary = placed.get(conferenceId);
        List<String> relays;
        synchronized (this) {
            relays = spreads() ? spread.relays(conferenceId, primary)
                    : primary == null ? List.of() : List.of(primary);
        }
        return relays.stream().map(controls::get).filter(java.util.Objects::nonNull)
                .map(RelayControl.class::cast).toList();
    }

    @Override
    public synchronized void released(String conferenceId, String endpointId) {
        if (spreads()) {
            spread.release(conferenceId, endpointId);
        }
    }

    private synchronized RelayControl place(String conferenceId, String region) {
        Optional<String> existing = placement.get(conferenceId);
        if (existing.isPresent() && !live.containsKey(existing.get())) {
            live = directory.read(); // placed by another node on a relay registered since our last check
        }
        String relayId;
        if (existing.isPresent() && healthy(existing.get(), live)) {
            relayId = existing.get();
        } else {
            Optional<RelayInfo> pick = RelayChoice.pick(live.values(), region, shunned(), placedSinceReport);
            if (pick.isEmpty()) {
                // relays may have registered since the last check (a pool starting up): look again
                live = directory.read();
                pick = RelayChoice.pick(live.values(), region, shunned(), placedSinceReport);
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
        askedRegions.remove(conferenceId);
        linkedLeft.removeIf(k -> k.startsWith(conferenceId + " "));
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
        moves.onConferencesMoved(moved);
    }

    @Override
    public void onEndpointsMoved(Consumer<Map<String, Set<String>>> moved) {
        moves.onEndpointsMoved(moved);
    }

    /** Reads the pool and moves the conferences of relays that died, stopped answering or drain. */
    private void check() {
        try {
            live = directory.read();
            placedSinceReport.clear();
            if (!regional && live.values().stream().map(RelayInfo::region).filter(r -> !r.isEmpty())
                    .distinct().count() > 1) {
                regional = true;
                LOG.info("relays of several regions: endpoints are placed in their device's region");
            }
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
        if (spreads()) {
            leaveDeadLinkedRelays();
        }
        forgetRelaysNotInUse();
        if (++checks % renewEveryChecks() == 0) {
            try {
                regions.publish();
            } catch (RuntimeException e) {
                LOG.debug("region not renewed: {}", e.toString());
            }
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
                Optional<RelayInfo> next = RelayChoice.pick(live.values(),
                        askedRegions.getOrDefault(e.getKey(), config.preferredRegion()), avoid, placedSinceReport);
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
                    if (spreads()) {
                        startSpreadOver(e.getKey(), relayId);
                    }
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
        moveDuration.record(Math.max(0, clock.millis() - started), TimeUnit.MILLISECONDS);
        LOG.warn("relay {} {}: moved {} conferences {}", relayId, reason, moved.size(), to);
        moves.conferencesMoved(reason, moved);
    }

    /**
     * A spread conference whose first relay was left starts over from its new first relay: expired
     * on its linked relays (their links to the old first relay go with it), its spread forgotten, and
     * every endpoint made again, spread afresh by the move listeners. Under the pool's lock.
     */
    private void startSpreadOver(String conferenceId, String left) {
        spread.relays(conferenceId, null).stream().filter(r -> !r.equals(left))
                .forEach(r -> RelayLinks.quietly(controls.get(r), c -> c.expireConference(conferenceId)));
        spread.forget(conferenceId);
    }

    /**
     * A linked (not first) relay of a spread conference died, stopped answering or drains: only its
     * endpoints move. The relays left drop their link to it (and the sources that came over it), and
     * the endpoint listeners make those endpoints again, each placed as a new one (another relay of
     * its region, linked, or the first relay); only their devices get {@code relay.reset}. The other
     * endpoints keep their connections and their media.
     */
    private void leaveDeadLinkedRelays() {
        Map<String, Set<String>> moving = new HashMap<>();
        synchronized (this) {
            for (Map.Entry<String, String> e : placed.entrySet()) {
                String conference = e.getKey();
                for (String r : spread.relays(conference, e.getValue())) {
                    String trouble = r.equals(e.getValue()) ? null : trouble(r);
                    if (trouble == null || !linkedLeft.add(conference + " " + r)) {
                        continue;
                    }
                    spread.reload(conference); // with what other nodes placed there
                    moving.computeIfAbsent(conference, k -> new HashSet<>()).addAll(spread.endpointsOn(conference, r));
                    spread.relays(conference, e.getValue()).stream().filter(other -> !other.equals(r)).forEach(
                            other -> RelayLinks.quietly(controls.get(other), c -> c.unlinkConference(conference, r)));
                    if ("draining".equals(trouble)) {
                        RelayLinks.quietly(controls.get(r), c -> c.expireConference(conference)); // so that it can exit
                    } else {
                        shunnedUntil.put(r, clock.millis() + config.ttl().toMillis() * 2);
                    }
                    LOG.warn("conference {}: linked relay {} {}, its endpoints move", conference, r, trouble);
                }
            }
        }
        if (moving.isEmpty()) {
            return;
        }
        LOG.warn("endpoints moving off linked relays: {}", moving);
        moves.endpointsMoved(moving);
    }

    /** Closes the control clients of relays that left the pool and serve none of our conferences. */
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
