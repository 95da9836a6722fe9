package org.parley.turn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every allocation on the server, with what must be looked up across 5-tuples: per-user counts for
 * the quota, reservation tokens (RFC 8656 §7.2) and RFC 6062 connection ids. Expiry runs from
 * {@link #sweep}, driven by the injected clock. Confined to the event loop.
 */
final class AllocationTable {
    private final TurnMetrics metrics;
    private final Set<Allocation> allocations = new LinkedHashSet<>();
    private final Map<String, Integer> perUser = new HashMap<>();
    private final Map<Long, Reservation> reservations = new HashMap<>();
    private final Map<Integer, TcpPeerConnection> connections = new HashMap<>();

    AllocationTable(TurnMetrics metrics) {
        this.metrics = metrics;
    }

    int size() {
        return allocations.size();
    }

    /** Allocations of {@code user} (not of one credential: see {@link RestCredentials#user}). */
    int countFor(String user) {
        return perUser.getOrDefault(user, 0);
    }

    void add(Allocation allocation, long expiresAtMillis) {
        allocation.setExpiresAtMillis(expiresAtMillis);
        allocations.add(allocation);
        perUser.merge(allocation.user(), 1, Integer::sum);
        allocation.link().attach(allocation);
        metrics.allocations.incrementAndGet();
    }

    /** Deletes an allocation: closes its relays and forgets it (RFC 8656 §7: expiry or Refresh 0). */
    void remove(Allocation allocation) {
        if (!allocations.remove(allocation)) {
            return;
        }
        perUser.computeIfPresent(allocation.user(), (u, n) -> n <= 1 ? null : n - 1);
        allocation.close();
        metrics.allocations.decrementAndGet();
    }

    void addReservation(Reservation reservation) {
        reservations.put(reservation.token(), reservation);
    }

    /** The reservation for {@code token}, removed from the table; null if unknown. */
    Reservation takeReservation(long token) {
        return reservations.remove(token);
    }

    void addConnection(TcpPeerConnection connection) {
        connections.put(connection.id(), connection);
    }

    TcpPeerConnection connection(int id) {
        return connections.get(id);
    }

    void removeConnection(TcpPeerConnection connection) {
        connections.remove(connection.id(), connection);
    }

    boolean hasConnectionId(int id) {
        return connections.containsKey(id);
    }

    /** Expires allocations, permissions, channels, reservations and unbound TCP connections. */
    void sweep(long nowMillis) {
        List<Allocation> expired = new ArrayList<>();
        for (Allocation a : allocations) {
            if (a.expiresAtMillis() <= nowMillis) {
                expired.add(a);
            } else {
                a.sweep(nowMillis);
            }
        }
        expired.forEach(this::remove);
        for (Iterator<Reservation> it = reservations.values().iterator(); it.hasNext(); ) {
            Reservation r = it.next();
            if (r.expiresAtMillis() <= nowMillis) {
                it.remove();
                r.socket().close();
            }
        }
    }

    void closeAll() {
        new ArrayList<>(allocations).forEach(this::remove);
        reservations.values().forEach(r -> r.socket().close());
        reservations.clear();
        new ArrayList<>(connections.values()).forEach(TcpPeerConnection::close);
    }
}
