package org.parley.signaling.media;

import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.parley.relay.control.RelayControl;

/**
 * Which relay serves each conference. One relay (in this process or on another node) serves them
 * all by default; with a cluster, a pool of registered relays shares them and a conference moves
 * when its relay goes away (docs/cluster.md "Relays").
 */
public interface RelayRoutes {

    /** False when no relay is configured at all: conferences and relay calls are refused. */
    boolean configured();

    /**
     * The relay of {@code conferenceId}, placing a new conference on one. May block (a pool asks
     * Redis), so it is called on relay-call threads, never on the signaling loop.
     *
     * @throws org.parley.relay.control.RelayException UNAVAILABLE when no relay can take it
     */
    RelayControl relayFor(String conferenceId);

    /**
     * The relay {@code conferenceId} is on, without placing it: for releasing, expiring, muting and
     * subscribing, which never come first, so a conference with no relay has nothing to undo.
     */
    default Optional<RelayControl> placed(String conferenceId) {
        return Optional.of(relayFor(conferenceId));
    }

    /**
     * The relay of one endpoint of {@code conferenceId}: the conference's relay, unless a pool
     * spreads the conference over linked relays (cascading, docs/cluster.md), when a new endpoint
     * may go to another relay than the first. Relay-call threads only, as {@link #relayFor(String)}.
     */
    default RelayControl relayFor(String conferenceId, String endpointId) {
        return relayFor(conferenceId);
    }

    /**
     * As {@link #relayFor(String, String)}, for an endpoint being allocated for a device connected to
     * {@code deviceNode} (null: this node): a pool with relays in several regions places it in that
     * node's region (docs/cluster.md "Regions").
     */
    default RelayControl relayFor(String conferenceId, String endpointId, String deviceNode) {
        return relayFor(conferenceId, endpointId);
    }

    /** A room asked for its first relay in {@code region} ({@code room.create}); before its first endpoint. */
    default void askRegion(String conferenceId, String region) {
    }

    /** The relay an endpoint is on, without placing anything (see {@link #placed(String)}). */
    default Optional<RelayControl> placed(String conferenceId, String endpointId) {
        return placed(conferenceId);
    }

    /** Every relay {@code conferenceId} is on: one, or those it spans. */
    default java.util.List<RelayControl> allPlaced(String conferenceId) {
        return placed(conferenceId).map(java.util.List::of).orElse(java.util.List.of());
    }

    /** An endpoint was released: its place on a relay of a spread conference is free again. */
    default void released(String conferenceId, String endpointId) {
    }

    /** Whether one relay serves everything, so that one circuit may refuse every call while it is gone. */
    default boolean single() {
        return true;
    }

    /** The conference has ended: nothing on this node uses its placement any more. Relay-call thread. */
    default void ended(String conferenceId) {
    }

    /** A call to the relay of {@code conferenceId} got no answer: check that relay now. Any thread. */
    default void unreachable(String conferenceId) {
    }

    /** Runs {@code r} (on any thread) when the relay of every conference lost them all (it restarted). */
    default void onRestart(Runnable r) {
    }

    /**
     * Runs {@code moved} (on any thread) with the conferences whose relay changed: they exist on
     * their new relay only once their endpoints are allocated again.
     */
    default void onMoved(Consumer<Set<String>> moved) {
    }

    /**
     * Runs {@code moved} (on any thread) with endpoints, by conference, that must be allocated again
     * because the linked relay they were on was left; the conference's other endpoints stay.
     */
    default void onEndpointsMoved(Consumer<java.util.Map<String, Set<String>>> moved) {
    }
}
