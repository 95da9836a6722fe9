package org.parley.signaling.room;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.parley.signaling.auth.Role;

/**
 * Signed, expiring room invitations (docs/protocol.md §6.3): a JWT with audience
 * {@code parley-invite}, so an invite can never pass as an access token (it has no subject) nor an
 * access token as an invite (no audience).
 */
final class InviteLinks {

    static final String AUDIENCE = "parley-invite";

    private final Algorithm algorithm;
    private final Clock clock;

    InviteLinks(byte[] secret, Clock clock) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
    }

    String issue(String roomId, Role role, Duration ttl) {
        Instant now = clock.instant();
        return JWT.create().withIssuer("parley").withAudience(AUDIENCE).withClaim("room", roomId)
                .withClaim("role", role.wireName()).withIssuedAt(now).withExpiresAt(now.plus(ttl)).sign(algorithm);
    }

    Instant expiry(Duration ttl) {
        return clock.instant().plus(ttl);
    }

    /** The role an invite grants in {@code roomId}, or empty if it is not a valid invite for it. */
    Optional<Role> verify(String invite, String roomId) {
        try {
            JWTVerifier v = ((JWTVerifier.BaseVerification) JWT.require(algorithm).withIssuer("parley")
                    .withAudience(AUDIENCE).withClaim("room", roomId)).build(clock);
            return Optional.of(Role.fromWire(v.verify(invite).getClaim("role").asString()));
        } catch (JWTVerificationException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
