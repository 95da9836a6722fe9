package org.parley.signaling.auth;

import java.util.Locale;

/** Conference roles, from most to least powerful. */
public enum Role {
    OWNER,
    MODERATOR,
    PARTICIPANT,
    LISTENER;

    /** The lower-case name used in tokens and in the protocol. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the valid ones. */
    public static Role fromWire(String name) {
        for (Role r : values()) {
            if (r.wireName().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException(
                "unknown role '" + name + "' (owner, moderator, participant, listener)");
    }
}
