package org.parley.server.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts open connections per source and in total and says which cap a new one would break. A
 * source is an IPv4 address or an IPv6 /64: one subscriber gets a whole /64 (RFC 6177), so counting
 * single IPv6 addresses would give one client 2^64 budgets.
 */
final class ConnectionCaps {

    /** Which cap refused a connection; the wire name tags the metric. */
    enum Refusal {
        ADDRESS_LIMIT("address_limit", "parley.http.max-connections-per-address"),
        TOTAL_LIMIT("total_limit", "parley.http.max-connections");

        final String wireName;
        final String setting;

        Refusal(String wireName, String setting) {
            this.wireName = wireName;
            this.setting = setting;
        }
    }

    private final int maxTotal;
    private final int maxPerSource;
    private final Map<Object, Integer> bySource = new HashMap<>();
    private int open;

    ConnectionCaps(int maxTotal, int maxPerSource) {
        this.maxTotal = maxTotal;
        this.maxPerSource = maxPerSource;
    }

    /** Counts a new connection from {@code address}, or says which cap refuses it (then nothing is counted). */
    synchronized Optional<Refusal> admit(InetAddress address) {
        Optional<Refusal> refusal = admitUnattributed();
        if (refusal.isEmpty()) {
            refusal = attribute(address);
            if (refusal.isPresent()) {
                open--;
            }
        }
        return refusal;
    }

    /**
     * Counts a new connection in the total only: one from a trusted proxy, whose client is known
     * once its first request names it ({@link #attribute}).
     */
    synchronized Optional<Refusal> admitUnattributed() {
        if (open >= maxTotal) {
            return Optional.of(Refusal.TOTAL_LIMIT);
        }
        open++;
        return Optional.empty();
    }

    /** Counts a connection already in the total against {@code client}'s cap, or says it is at its cap. */
    synchronized Optional<Refusal> attribute(InetAddress client) {
        Object source = source(client);
        int n = bySource.getOrDefault(source, 0);
        if (n >= maxPerSource) {
            return Optional.of(Refusal.ADDRESS_LIMIT);
        }
        bySource.put(source, n + 1);
        return Optional.empty();
    }

    /** A counted connection has closed; {@code client} is null when it was never attributed to one. */
    synchronized void release(InetAddress client) {
        open--;
        if (client == null) {
            return;
        }
        Object source = source(client);
        Integer n = bySource.get(source);
        if (n == null) {
            return;
        }
        if (n <= 1) {
            bySource.remove(source);
        } else {
            bySource.put(source, n - 1);
        }
    }

    synchronized int open() {
        return open;
    }

    int max(Refusal cap) {
        return cap == Refusal.TOTAL_LIMIT ? maxTotal : maxPerSource;
    }

    /** An IPv4 address as it is; an IPv6 address as its /64 prefix (a Long, so the two never collide). */
    private static Object source(InetAddress address) {
        if (address instanceof Inet6Address) {
            return ByteBuffer.wrap(address.getAddress(), 0, 8).getLong();
        }
        return address;
    }
}
