package org.parley.cluster.relay;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which relay each endpoint of a conference spread over linked relays is on (cascading,
 * docs/cluster.md "Cascading"), in Redis ({@code parley:conference:{id}:endpoints}, a hash endpoint
 * -> relay with the placement's TTL) and in this node's memory. The relays a conference spans are
 * the placement's relay and those its endpoints name. Called under the pool's lock.
 */
final class ConferenceSpread {

    private final RedisCommands<String, String> redis;
    private final Duration ttl;
    private final Map<String, Map<String, String>> endpoints = new ConcurrentHashMap<>();

    ConferenceSpread(RedisCommands<String, String> redis, Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    /** The conference's endpoints and their relays, read from Redis the first time this node asks. */
    private Map<String, String> of(String conferenceId) {
        return endpoints.computeIfAbsent(conferenceId, c -> new ConcurrentHashMap<>(redis.hgetall(RelayKeys.spread(c))));
    }

    /** Reads the conference's endpoints from Redis again: other nodes may have placed some since. */
    void reload(String conferenceId) {
        endpoints.put(conferenceId, new ConcurrentHashMap<>(redis.hgetall(RelayKeys.spread(conferenceId))));
    }

    /** The endpoints of the conference on one relay. */
    Set<String> endpointsOn(String conferenceId, String relayId) {
        Set<String> out = new java.util.HashSet<>();
        of(conferenceId).forEach((endpoint, relay) -> {
            if (relay.equals(relayId)) {
                out.add(endpoint);
            }
        });
        return out;
    }

    /** The relay an endpoint is on, or null when it has none yet. */
    String relayOf(String conferenceId, String endpointId) {
        return of(conferenceId).get(endpointId);
    }

    /** The relays the conference spans: {@code first} (its placement), then the others in no order. */
    List<String> relays(String conferenceId, String first) {
        Set<String> out = new LinkedHashSet<>();
        if (first != null) {
            out.add(first);
        }
        out.addAll(of(conferenceId).values());
        return new ArrayList<>(out);
    }

    /** Endpoints per relay of the conference. */
    Map<String, Integer> counts(String conferenceId) {
        Map<String, Integer> n = new HashMap<>();
        of(conferenceId).values().forEach(r -> n.merge(r, 1, Integer::sum));
        return n;
    }

    void assign(String conferenceId, String endpointId, String relayId) {
        of(conferenceId).put(endpointId, relayId);
        String key = RelayKeys.spread(conferenceId);
        redis.hset(key, endpointId, relayId);
        redis.pexpire(key, ttl.toMillis());
    }

    void release(String conferenceId, String endpointId) {
        Map<String, String> m = endpoints.get(conferenceId);
        if (m != null && m.remove(endpointId) != null) {
            redis.hdel(RelayKeys.spread(conferenceId), endpointId);
        }
    }

    void renew(String conferenceId) {
        if (endpoints.containsKey(conferenceId)) {
            redis.pexpire(RelayKeys.spread(conferenceId), ttl.toMillis());
        }
    }

    void forget(String conferenceId) {
        if (endpoints.remove(conferenceId) != null) {
            redis.del(RelayKeys.spread(conferenceId));
        }
    }
}
