package org.parley.loadtest;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenIssuer;

/** Access tokens for simulated users, minted locally with the operator's secret. */
public final class Tokens {

    private final TokenIssuer issuer;
    private final Duration ttl;

    public Tokens(byte[] secret, Clock clock, Duration ttl) {
        this.issuer = new TokenIssuer(secret, clock);
        this.ttl = ttl;
    }

    public String user(String user) {
        return issuer.issue(user, Optional.of(user), Optional.empty(), Optional.empty(), ttl);
    }

    /** A token that lets {@code user} join (and create) {@code room} with {@code role}. */
    public String room(String user, String room, Role role) {
        return issuer.issue(user, Optional.of(user), Optional.of(room), Optional.of(role), ttl);
    }
}
