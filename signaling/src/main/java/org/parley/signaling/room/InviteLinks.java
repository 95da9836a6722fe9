package org.parley.signaling.room;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.parley.signaling.auth.Role;

/**
 * Signed, expiring room invitations (docs/protocol.md §6.3): a JWT with audience
 * {@code parley-invite}, so an invite can never pass as an access token (it has no subject) nor an
 * access token as an invite (no audience). Its {@code jti} (RFC 7519 §4.1.7) is the invite id the
 * room keeps, so that one link can be revoked without touching the others.
 */
final class InviteLinks {

    static final String AUDIENCE = "parley-invite";

    /** A signed invite and what the room records of it. */
    record Issued(String token, String inviteId, Instant expiresAt) {
    }

    /** What a verified invite grants, and which invite it is. */
    record Grant(Role role, String inviteId) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Algorithm algorithm;
    private final Clock clock;

    InviteLinks(byte[] secret, Clock clock) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
    }

    Issued issue(String roomId, Role role, Duration ttl) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(ttl);
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        String id = "i-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        String token = JWT.create().withIssuer("parley").withAudience(AUDIENCE).withJWTId(id).withClaim("room", roomId)
                .withClaim("role", role.wireName()).withIssuedAt(now).withExpiresAt(expiresAt).sign(algorithm);
        return new Issued(token, id, expiresAt);
    }

    /** What an invite grants in {@code roomId}, or empty if it is not a valid signed invite for it. */
    Optional<Grant> verify(String invite, String roomId) {
        try {
            JWTVerifier v = ((JWTVerifier.BaseVerification) JWT.require(algorithm).withIssuer("parley")
                    .withAudience(AUDIENCE).withClaim("room", roomId)).build(clock);
            DecodedJWT jwt = v.verify(invite);
            if (jwt.getId() == null) {
                return Optional.empty();
            }
            return Optional.of(new Grant(Role.fromWire(jwt.getClaim("role").asString()), jwt.getId()));
        } catch (JWTVerificationException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    Instant now() {
        return clock.instant();
    }
}
