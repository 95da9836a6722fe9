package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMessageWriter;
import org.parley.turn.stun.StunMethod;

/**
 * Issue 15 item 2 through the real listener: a REST credential valid for longer than the limit is
 * refused, and {@code user-quota} counts a user's allocations whatever credential made them.
 */
class CredentialBoundsTest {
    @RegisterExtension
    final LoopbackTurn turn = new LoopbackTurn();

    private static void udpAllocation(StunMessageWriter w) {
        w.bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
    }

    /** A client with a REST credential for {@code user} expiring {@code validFor} from the server's now. */
    private TestStunClient client(String user, Duration validFor) throws Exception {
        String username = (turn.clock.millis() / 1000 + validFor.toSeconds()) + ":" + user;
        return turn.client().credentials(username,
                RestCredentials.password(TestServers.SECRET.getBytes(StandardCharsets.UTF_8), username));
    }

    private static String reasonPhrase(StunMessage m) {
        byte[] v = m.value(StunAttribute.ERROR_CODE);
        return new String(v, 4, v.length - 4, StandardCharsets.UTF_8);
    }

    @Test
    void aCredentialValidForLongerThanTheConfiguredLimitGets401WithAReason() throws Exception {
        turn.start(Map.of("parley.turn.max-credential-lifetime", "1h"));
        try (TestStunClient tooLong = client("alice", Duration.ofHours(3));
                TestStunClient withinLimit = client("alice", Duration.ofMinutes(59))) {
            StunMessage refused = tooLong.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation);
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(refused));
            assertEquals("Unauthenticated: credential expiry too far ahead", reasonPhrase(refused));
            assertEquals(1.0, turn.meter("parley.turn.auth.failures", "reason", "lifetime_too_long"), 0.0);
            assertEquals(0, turn.allocationCount());
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    withinLimit.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation).stunClass());
        }
    }

    @Test
    void aTurnOnlyServerFallsBackToOneDayPlusSlack() throws Exception {
        turn.start(Map.of());
        try (TestStunClient yearsAhead = client("alice", Duration.ofDays(3650));
                TestStunClient aDay = client("alice", Duration.ofDays(1))) {
            StunMessage refused = yearsAhead.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation);
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(refused));
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    aDay.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation).stunClass());
        }
    }

    @Test
    void userQuotaCountsTheUserNotTheCredential() throws Exception {
        turn.start(Map.of("parley.turn.user-quota", 2));
        // Signaling mints a new credential per session: each has another expiry.
        try (TestStunClient first = client("alice", Duration.ofMinutes(10));
                TestStunClient second = client("alice", Duration.ofMinutes(20));
                TestStunClient third = client("alice", Duration.ofMinutes(30));
                TestStunClient bob = client("bob", Duration.ofMinutes(10))) {
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    first.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation).stunClass());
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    second.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation).stunClass());
            StunMessage over = third.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation);
            assertEquals(ErrorCode.ALLOCATION_QUOTA_REACHED, TestStunClient.errorCode(over));
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    bob.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation).stunClass(),
                    "another user has a quota of their own");
            // Once one of alice's allocations is gone (Refresh 0, RFC 8656 §7.3), she may make another.
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    first.request(StunMethod.REFRESH, w -> w.uint32(StunAttribute.LIFETIME, 0)).stunClass());
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    third.request(StunMethod.ALLOCATE, CredentialBoundsTest::udpAllocation).stunClass());
            assertTrue(turn.meter("parley.turn.allocations.failed", "reason", "user_quota") >= 1);
        }
    }

    @Test
    void userPartIsWhatTheQuotaCounts() {
        assertEquals("alice", RestCredentials.user("1700000000:alice"));
        assertEquals("alice", RestCredentials.user("alice:1700000000"));
        assertEquals("a:b", RestCredentials.user("1700000000:a:b"));
        assertEquals("", RestCredentials.user("1700000000"));
    }
}
