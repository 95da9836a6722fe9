package org.parley.signaling.room;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.parley.signaling.wire.Json;

/**
 * Users a moderator removed from one room (docs/protocol.md §6.3): they are refused with
 * {@code removed}, whatever grant they hold, until a moderator lets them back in with
 * {@code room.allow}. The list lives as long as the room. Loop thread only.
 */
final class RemovedUsers {

    private record Removal(String name, String by, Instant at) {
    }

    private final Map<String, Removal> byUser = new LinkedHashMap<>();

    void add(String user, String name, String byParticipant, Instant at) {
        byUser.put(user, new Removal(name, byParticipant, at));
    }

    boolean contains(String user) {
        return byUser.containsKey(user);
    }

    /** Lets {@code user} back in; false if it was not removed. */
    boolean allow(String user) {
        return byUser.remove(user) != null;
    }

    /** Every removal, oldest first, as a room's stored record keeps it. */
    java.util.List<StoredRoom.Removal> stored() {
        java.util.List<StoredRoom.Removal> out = new java.util.ArrayList<>();
        byUser.forEach((user, r) -> out.add(new StoredRoom.Removal(user, r.name(), r.by(), r.at().toEpochMilli())));
        return out;
    }

    /** {@code [{user, name, by, at}]}, oldest removal first. */
    ArrayNode toJson() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        byUser.forEach((user, r) -> {
            ObjectNode n = out.addObject();
            n.put("user", user);
            n.put("name", r.name());
            n.put("by", r.by());
            n.put("at", r.at().toEpochMilli());
        });
        return out;
    }
}
