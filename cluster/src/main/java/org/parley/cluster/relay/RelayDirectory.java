package org.parley.cluster.relay;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads every live relay's registration; prunes the index of relays whose registration expired. */
final class RelayDirectory {

    private final RedisCommands<String, String> redis;

    RelayDirectory(RedisCommands<String, String> redis) {
        this.redis = redis;
    }

    /** The relays registered now, by id. Throws when Redis does not answer. */
    Map<String, RelayInfo> read() {
        Map<String, RelayInfo> live = new HashMap<>();
        for (String id : redis.smembers(RelayKeys.INDEX)) {
            Optional<RelayInfo> info = RelayInfo.parse(id, redis.hgetall(RelayKeys.relay(id)));
            if (info.isPresent()) {
                live.put(id, info.get());
            } else {
                // its TTL ran out: it died without saying so (a clean stop removes both keys)
                redis.srem(RelayKeys.INDEX, id);
            }
        }
        return live;
    }
}
