package org.parley.signaling.room;

import java.security.SecureRandom;
import java.util.Base64;
import org.parley.signaling.auth.Role;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;

/**
 * The two namespaces of room ids (docs/protocol.md §6.3). Rooms made by users ({@code room.create},
 * {@code call.add}) have ids starting with {@value #CREATED_PREFIX}; every other id belongs to the
 * operator, whose access tokens name rooms in their {@code room} claim. Tokens are minted offline,
 * so the server cannot know which names an operator will use: only disjoint namespaces keep a user
 * from creating an operator's room first and owning it, and keep a token from opening a user's room.
 */
final class RoomIds {

    static final String CREATED_PREFIX = "r-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private RoomIds() {
    }

    /** A fresh id in the user namespace: 72 random bits, so nobody can guess a room's id. */
    static String newCreatedId() {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        return CREATED_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('_', '.');
    }

    /** True for ids of rooms made by users, false for ids an operator's token may name. */
    static boolean isCreated(String roomId) {
        return roomId.startsWith(CREATED_PREFIX);
    }

    /**
     * Refuses a {@code room.create} of an operator's id, unless the creator's own token names that
     * room with role {@code owner}: the operator made that user the room's owner, so it may set the
     * room's options before anyone joins (as before namespaces existed).
     */
    static void requireCreatable(Session s, String roomId) {
        if (isCreated(roomId)) {
            return;
        }
        boolean ownerByToken = s.identity().room().filter(roomId::equals).isPresent()
                && s.identity().role().filter(Role.OWNER::equals).isPresent();
        if (!ownerByToken) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "room ids not starting with '" + CREATED_PREFIX
                    + "' are reserved for rooms named by access tokens; leave roomId out or start it with '"
                    + CREATED_PREFIX + "'");
        }
    }

    /** True when the token's {@code room} claim grants {@code roomId}: only in the operator namespace. */
    static boolean grantedByToken(Session s, String roomId) {
        return !isCreated(roomId) && s.identity().room().filter(roomId::equals).isPresent();
    }
}
