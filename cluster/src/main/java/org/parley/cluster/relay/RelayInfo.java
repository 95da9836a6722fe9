package org.parley.cluster.relay;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * One relay's registration as read from Redis.
 *
 * @param id new on every start of the relay process, so a restarted relay is a new relay
 * @param controlUrl the origin of its HTTP control API
 * @param region its region tag ("" when untagged)
 * @param load its load at {@code updatedMillis}
 * @param draining true once it stopped taking conferences (SIGTERM)
 * @param updatedMillis when it last refreshed its registration (its clock)
 */
public record RelayInfo(String id, URI controlUrl, String region, RelayLoad load, boolean draining,
        long updatedMillis) {

    static final String URL = "url";
    static final String REGION = "region";
    static final String ENDPOINTS = "endpoints";
    static final String PACKETS_PER_SECOND = "pps";
    static final String CPU = "cpu";
    static final String DRAINING = "draining";
    static final String UPDATED = "updated";

    /** The hash fields of this registration. */
    Map<String, String> fields() {
        return Map.of(URL, controlUrl.toString(), REGION, region, ENDPOINTS, Integer.toString(load.endpoints()),
                PACKETS_PER_SECOND, Long.toString(load.packetsPerSecond()), CPU, Double.toString(load.cpu()),
                DRAINING, draining ? "1" : "0", UPDATED, Long.toString(updatedMillis));
    }

    /** Reads a registration hash; empty when it expired (no fields) or is not one this version wrote. */
    static Optional<RelayInfo> parse(String id, Map<String, String> fields) {
        if (fields == null || !fields.containsKey(URL)) {
            return Optional.empty();
        }
        try {
            RelayLoad load = new RelayLoad(Integer.parseInt(fields.getOrDefault(ENDPOINTS, "0")),
                    Long.parseLong(fields.getOrDefault(PACKETS_PER_SECOND, "0")),
                    Double.parseDouble(fields.getOrDefault(CPU, "-1")));
            return Optional.of(new RelayInfo(id, URI.create(fields.get(URL)), fields.getOrDefault(REGION, ""), load,
                    "1".equals(fields.get(DRAINING)), Long.parseLong(fields.getOrDefault(UPDATED, "0"))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether new conferences may be placed on it. */
    boolean takesConferences() {
        return !draining;
    }
}
