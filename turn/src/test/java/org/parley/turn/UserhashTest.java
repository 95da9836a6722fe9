package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.MessageIntegrity;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMethod;

/**
 * USERHASH (RFC 8489 §14.4) and the RFC 8265 OpaqueString preparation of user names, passwords and
 * realm (RFC 8489 §9.2.2, §14.3), against a real server on loopback.
 */
class UserhashTest {
    @RegisterExtension
    final LoopbackTurn turn = new LoopbackTurn();

    private TestStunClient client(List<String> users) throws Exception {
        return turn.start(Map.of("parley.turn.user", users)).client();
    }

    private static StunMessage allocate(TestStunClient c) throws Exception {
        return c.request(StunMethod.ALLOCATE, w -> w.bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0}));
    }

    @Test
    void aStaticUserLogsInByUserhashWithTheSha256Key() throws Exception {
        try (TestStunClient c = client(List.of("carol:pw", "dave:pw2")).credentials("dave", "pw2")) {
            c.userhash = true;
            c.algorithm = PasswordAlgorithm.SHA256;
            c.sha256 = true;
            StunMessage ok = allocate(c);
            assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass());
            assertTrue(MessageIntegrity.verify(ok,
                    LongTermKey.of("dave", "test", "pw2", PasswordAlgorithm.SHA256)));
            // The allocation belongs to dave: the same 5-tuple under carol's name gets 441.
            c.userhash = false;
            c.credentials("carol", "pw");
            assertEquals(ErrorCode.WRONG_CREDENTIALS,
                    TestStunClient.errorCode(c.request(StunMethod.REFRESH, w -> { })));
            c.credentials("dave", "pw2");
            assertEquals(StunClass.SUCCESS_RESPONSE, c.request(StunMethod.REFRESH, w -> { }).stunClass());
        }
    }

    @Test
    void userhashWithTheMd5KeyOfAnRfc5389ClientWorksToo() throws Exception {
        try (TestStunClient c = client(List.of("carol:pw")).credentials("carol", "pw")) {
            c.userhash = true;
            assertEquals(StunClass.SUCCESS_RESPONSE, allocate(c).stunClass());
        }
    }

    @Test
    void anUnknownUserhashGets401AndAMalformedOneGets400() throws Exception {
        try (TestStunClient c = client(List.of("carol:pw")).credentials("mallory", "pw")) {
            c.userhash = true;
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(allocate(c)));
            assertEquals(1.0, turn.meter("parley.turn.auth.failures", "reason", "unknown_user"));

            c.credentials("carol", "pw");
            byte[] key = LongTermKey.of("carol", c.realm, "pw");
            StunMessage shortHash = c.exchange(PasswordAlgorithmsTest.signedWithout(c, w -> w
                    .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0})
                    .bytes(StunAttribute.USERHASH, new byte[20]), key, false));
            assertEquals(ErrorCode.BAD_REQUEST, TestStunClient.errorCode(shortHash));
            StunMessage both = c.exchange(PasswordAlgorithmsTest.signedWithout(c, w -> w
                    .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0})
                    .bytes(StunAttribute.USERHASH, LongTermKey.userhash("carol", c.realm)), key, true));
            assertEquals(ErrorCode.BAD_REQUEST, TestStunClient.errorCode(both), "USERNAME and USERHASH at once");
            assertEquals(2.0, turn.meter("parley.turn.auth.failures", "reason", "bad_attribute"));
            assertEquals(0, turn.allocationCount());
        }
    }

    @Test
    void restUsersCannotBeFoundByUserhash() throws Exception {
        try (TestStunClient c = turn.start(Map.of()).restClient(3600)) {
            c.userhash = true;
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(allocate(c)));
            c.userhash = false;
            assertEquals(StunClass.SUCCESS_RESPONSE, allocate(c).stunClass());
        }
    }

    @Test
    void namesAndPasswordsAreComparedInTheirPreparedForm() throws Exception {
        // Configured in NFC with a no-break space in the password; the client sends the name
        // decomposed (NFD) and types an ordinary space: both prepare to the same strings.
        try (TestStunClient c = client(List.of("zo\u00eb:open\u00a0sesame")).credentials("zoe\u0308", "open sesame")) {
            assertEquals(StunClass.SUCCESS_RESPONSE, allocate(c).stunClass());
        }
        turn.afterEach(null);
        try (TestStunClient c = client(List.of("zo\u00eb:open\u00a0sesame")).credentials("zo\u00eb", "open sesame")) {
            c.userhash = true;
            assertEquals(StunClass.SUCCESS_RESPONSE, allocate(c).stunClass(), "USERHASH of the prepared name");
        }
    }

    @Test
    void aUsernameWithDisallowedCodePointsOrBrokenUtf8Gets401() throws Exception {
        try (TestStunClient c = client(List.of("carol:pw")).credentials("car\u0007ol", "pw")) {
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(allocate(c)));
            c.credentials("carol", "pw");
            byte[] key = LongTermKey.of("carol", c.realm, "pw");
            StunMessage broken = c.exchange(PasswordAlgorithmsTest.signedWithout(c, w -> w
                    .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0})
                    .bytes(StunAttribute.USERNAME, new byte[] {'c', (byte) 0xC3, 'x'}), key, false));
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(broken));
            assertTrue(broken.has(StunAttribute.NONCE), "a 401 carries a fresh challenge");
            assertEquals(2.0, turn.meter("parley.turn.auth.failures", "reason", "bad_username"));
        }
    }
}
