package org.parley.signaling.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * Who a token speaks for.
 *
 * @param user the account id (JWT {@code sub})
 * @param displayName the name shown to others; the user id when the token gives none
 * @param room the one room this token may join, if it is limited to one
 * @param role the role granted in that room, if any
 * @param expiresAt when the token stops being valid
 */
public record Identity(String user, String displayName, Optional<String> room, Optional<Role> role,
        Instant expiresAt) {
}
