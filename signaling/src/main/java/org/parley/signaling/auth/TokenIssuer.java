package org.parley.signaling.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Mints access tokens: JWTs signed with HS256 and the operator's secret, as LiveKit does. */
public final class TokenIssuer {

    /** The {@code iss} claim of every Parley token. */
    static final String ISSUER = "parley";

    private final Algorithm algorithm;
    private final Clock clock;

    public TokenIssuer(byte[] secret, Clock clock) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
    }

    /** A token for {@code user}, optionally limited to one room with a role, valid for {@code ttl}. */
    public String issue(String user, Optional<String> displayName, Optional<String> room,
            Optional<Role> role, Duration ttl) {
        if (!UserId.isValid(user)) {
            throw new IllegalArgumentException("user must be " + UserId.RULE);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Instant now = clock.instant();
        JWTCreator.Builder jwt = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(user)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl));
        displayName.ifPresent(n -> jwt.withClaim("name", n));
        room.ifPresent(r -> jwt.withClaim("room", r));
        role.ifPresent(r -> jwt.withClaim("role", r.wireName()));
        return jwt.sign(algorithm);
    }
}
