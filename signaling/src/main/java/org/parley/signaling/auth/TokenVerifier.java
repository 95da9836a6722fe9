package org.parley.signaling.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Clock;
import java.util.Optional;

/** Checks access tokens minted by {@link TokenIssuer} (or by the operator's own backend). */
public final class TokenVerifier {

    private final JWTVerifier verifier;

    public TokenVerifier(byte[] secret, Clock clock) {
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(Algorithm.HMAC256(secret))
                .withIssuer(TokenIssuer.ISSUER)
                .withClaimPresence("sub")
                .withClaimPresence("exp"))
                .build(clock);
    }

    /** The identity of a valid token; throws {@link InvalidTokenException} saying why not. */
    public Identity verify(String token) {
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw new InvalidTokenException(InvalidTokenException.Kind.EXPIRED, "token expired");
        } catch (JWTVerificationException e) {
            throw new InvalidTokenException(InvalidTokenException.Kind.INVALID, e.getMessage());
        }
        Optional<Role> role;
        try {
            role = text(jwt.getClaim("role")).map(Role::fromWire);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(InvalidTokenException.Kind.INVALID, e.getMessage());
        }
        String user = jwt.getSubject();
        if (!UserId.isValid(user)) {
            // Every other check trusts the id: it names sessions, TURN usernames and log lines.
            throw new InvalidTokenException(InvalidTokenException.Kind.INVALID, "the token's sub is not a user id ("
                    + UserId.RULE + ")");
        }
        return new Identity(user, text(jwt.getClaim("name")).orElse(user),
                text(jwt.getClaim("room")), role, jwt.getExpiresAtAsInstant());
    }

    private static Optional<String> text(Claim claim) {
        return claim.isMissing() || claim.isNull() ? Optional.empty() : Optional.ofNullable(claim.asString());
    }
}
