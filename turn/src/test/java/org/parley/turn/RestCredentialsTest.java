package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestCredentialsTest {
    @ParameterizedTest
    @CsvSource({"1700000000:alice, 1700000000", "alice:1700000000, 1700000000", "1700000000, 1700000000",
            "alice, -1", "alice:bob, -1", "a:b:1700000000, 1700000000", "'', -1"})
    void findsTheExpiryInEveryUsernameForm(String username, long expiry) {
        OptionalLong found = RestCredentials.expiry(username);
        assertEquals(expiry, found.orElse(-1));
    }

    @Test
    void passwordIsBase64OfHmacSha1OverTheUsername() {
        // Same as: echo -n '1700000000:alice' | openssl dgst -binary -sha1 -hmac secret | base64
        String p = RestCredentials.password("secret".getBytes(StandardCharsets.UTF_8), "1700000000:alice");
        assertEquals("d8soP47RbdIKLDUOpnJPVQyq5Ts=", p);
    }
}
