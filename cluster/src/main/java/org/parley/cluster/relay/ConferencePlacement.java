package org.parley.cluster.relay;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Optional;

/**
 * Conference → relay, in Redis, so that every signaling node sends a conference's devices to the
 * same relay. The first node to place a conference wins ({@code SET NX}); a move replaces the
 * placement only if it still names the relay being left (compare and set), so two nodes moving the
 * same conference at once agree on one new relay. Each key has a TTL that the nodes using it renew:
 * a conference whose nodes all died is forgotten on its own.
 */
final class ConferencePlacement {

    /** Sets KEYS[1] to ARGV[2] if it is ARGV[1] (or unset); returns what it is afterwards. */
    private static final String REPLACE = """
            local now = redis.call('GET', KEYS[1])
            if now == false or now == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return ARGV[2]
            end
            return now
            """;

    private final RedisCommands<String, String> redis;
    private final Duration ttl;

    ConferencePlacement(RedisCommands<String, String> redis, Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    Optional<String> get(String conferenceId) {
        return Optional.ofNullable(redis.get(RelayKeys.placement(conferenceId)));
    }

    /** Places the conference on {@code relayId} unless it is placed already; returns where it is. */
    String claim(String conferenceId, String relayId) {
        String key = RelayKeys.placement(conferenceId);
        if ("OK".equals(redis.set(key, relayId, SetArgs.Builder.nx().px(ttl.toMillis())))) {
            return relayId;
        }
        String now = redis.get(key);
        return now != null ? now : claim(conferenceId, relayId);
    }

    /** Moves the conference from {@code from} to {@code to} unless another node moved it; returns where it is. */
    String replace(String conferenceId, String from, String to) {
        return redis.eval(REPLACE, ScriptOutputType.VALUE, new String[] {RelayKeys.placement(conferenceId)},
                from, to, Long.toString(ttl.toMillis()));
    }

    /** Keeps the placement of a conference still in use. */
    void renew(String conferenceId) {
        redis.pexpire(RelayKeys.placement(conferenceId), ttl.toMillis());
    }

    void forget(String conferenceId) {
        redis.del(RelayKeys.placement(conferenceId));
    }
}
