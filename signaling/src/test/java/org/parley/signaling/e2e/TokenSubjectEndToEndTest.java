package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * A token is only as good as its {@code sub}: one that is not a user id (docs/protocol.md §3.1) is
 * refused at {@code hello} with {@code invalid_token} and close 4001, however well it is signed.
 * Tokens are minted here by hand, as an operator's own backend would.
 */
class TokenSubjectEndToEndTest {

    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer("", Optional.empty());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String tokenFor(String sub) {
        Instant now = server.time.instant();
        return JWT.create().withIssuer("parley").withSubject(sub).withIssuedAt(now)
                .withExpiresAt(now.plus(Duration.ofHours(1))).sign(Algorithm.HMAC256(TestServer.SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "alice bob", "alice\n", "ali\u0000ce", "\u202Eecila", "zero\u200Bwidth",
        "a-129-characters-long-user-id-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void tokenWhoseSubIsNotAUserIdIsRefusedAtHello(String sub) {
        SignalingClient c = server.connect();
        SignalingException e = assertThrows(SignalingException.class, () -> c.hello(tokenFor(sub), "phone"));
        assertEquals("invalid_token", e.code());
        assertEquals(4001, c.awaitClose().code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "alice@example.org", "42", "0f8fad5b-d9cb-469f-a165-70867728950e", "Zoë",
        "李小龙", "user:17",
        "a-128-characters-long-user-id-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void tokenWhoseSubIsAUserIdSignsIn(String sub) {
        try (SignalingClient c = server.connect()) {
            assertEquals(sub, c.hello(tokenFor(sub), "phone").get("user").asText());
        }
    }
}
