package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.MessageIntegrity;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMessageWriter;
import org.parley.turn.stun.StunMethod;

/**
 * The RFC 8489 additions to long-term credentials, against a real server on loopback: the nonce
 * cookie (§9.2), PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM (§9.2.4, §14.11, §14.12) with the
 * SHA-256 key (§9.2.2, §18.5.1), while a client that sends none of it keeps working with MD5.
 */
class PasswordAlgorithmsTest {
    /** SHA-256 (0x0002) then MD5 (0x0001), no parameters (§14.11). */
    private static final byte[] OFFERED = {0, 2, 0, 0, 0, 1, 0, 0};
    @RegisterExtension
    final LoopbackTurn turn = new LoopbackTurn();

    private TestStunClient restClient(Map<String, Object> overrides) throws Exception {
        return turn.start(overrides).restClient(3600);
    }

    /** Takes REALM and NONCE from a 401, as a client does before it signs. */
    private static void challenge(TestStunClient c) throws Exception {
        StunMessage challenge = c.unauthenticated(StunMethod.ALLOCATE, PasswordAlgorithmsTest::udpAllocation);
        c.realm = challenge.string(StunAttribute.REALM);
        c.nonce = challenge.string(StunAttribute.NONCE);
    }

    private static void udpAllocation(StunMessageWriter w) {
        w.bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
    }

    @Test
    void theChallengeAnnouncesPasswordAlgorithmsInTheNonceCookie() throws Exception {
        try (TestStunClient c = restClient(Map.of())) {
            StunMessage challenge = c.unauthenticated(StunMethod.ALLOCATE, PasswordAlgorithmsTest::udpAllocation);
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(challenge));
            // "obMatJos2" + Base64 of the 24 feature bits: 0x000001 = password algorithms only, since
            // REST users cannot be found by USERHASH.
            String nonce = challenge.string(StunAttribute.NONCE);
            assertTrue(nonce.startsWith("obMatJos2AAAB"), nonce);
            assertArrayEquals(OFFERED, challenge.value(StunAttribute.PASSWORD_ALGORITHMS));
        }
    }

    @Test
    void withOnlyStaticUsersTheCookieAlsoAnnouncesUsernameAnonymity() throws Exception {
        turn.start(Map.of("parley.turn.static-auth-secret", List.of(), "parley.turn.user", List.of("carol:pw")));
        try (TestStunClient c = turn.client()) {
            StunMessage challenge = c.unauthenticated(StunMethod.ALLOCATE, PasswordAlgorithmsTest::udpAllocation);
            assertTrue(challenge.string(StunAttribute.NONCE).startsWith("obMatJos2AAAD"));
        }
    }

    @Test
    void aClientThatChoosesSha256GetsASha256KeyAndAnswersSignedWithIt() throws Exception {
        try (TestStunClient c = restClient(Map.of())) {
            c.algorithm = PasswordAlgorithm.SHA256;
            c.sha256 = true;
            StunMessage ok = c.request(StunMethod.ALLOCATE, PasswordAlgorithmsTest::udpAllocation);
            assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass());
            byte[] sha256Key = LongTermKey.of(c.username, c.realm, c.password, PasswordAlgorithm.SHA256);
            assertEquals(32, sha256Key.length);
            assertTrue(ok.integritySha256Offset() >= 0, "answered with MESSAGE-INTEGRITY-SHA256");
            assertTrue(MessageIntegrity.verify(ok, sha256Key), "answer signed with the SHA-256 key");
            // Later requests on the allocation use the same key, with MESSAGE-INTEGRITY (SHA-1) too.
            c.sha256 = false;
            StunMessage refreshed = c.request(StunMethod.REFRESH, w -> { });
            assertEquals(StunClass.SUCCESS_RESPONSE, refreshed.stunClass());
            assertTrue(MessageIntegrity.verify(refreshed, sha256Key));
        }
    }

    @Test
    void md5CanBeChosenExplicitlyAndClientsThatSendNothingGetMd5() throws Exception {
        try (TestStunClient c = restClient(Map.of())) {
            c.algorithm = PasswordAlgorithm.MD5;
            StunMessage ok = c.request(StunMethod.ALLOCATE, PasswordAlgorithmsTest::udpAllocation);
            assertTrue(MessageIntegrity.verify(ok, LongTermKey.of(c.username, c.realm, c.password)));
            c.algorithm = null;
            StunMessage refreshed = c.request(StunMethod.REFRESH, w -> { });
            assertEquals(StunClass.SUCCESS_RESPONSE, refreshed.stunClass());
            assertTrue(MessageIntegrity.verify(refreshed, LongTermKey.of(c.username, c.realm, c.password)));
        }
    }

    @Test
    void theKeyMustBeTheOneOfTheChosenAlgorithm() throws Exception {
        try (TestStunClient c = restClient(Map.of())) {
            challenge(c);
            // Says SHA-256, signs with the MD5 key.
            StunMessage answer = c.exchange(signed(c, w -> {
                udpAllocation(w);
                w.bytes(StunAttribute.PASSWORD_ALGORITHMS, OFFERED)
                        .bytes(StunAttribute.PASSWORD_ALGORITHM, new byte[] {0, 2, 0, 0});
            }, LongTermKey.of(c.username, c.realm, c.password)));
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(answer));
            assertEquals(0, turn.allocationCount());
        }
    }

    @Test
    void aChangedOrIncompleteAlgorithmNegotiationGets400() throws Exception {
        try (TestStunClient c = restClient(Map.of())) {
            challenge(c);
            byte[] sha256Key = LongTermKey.of(c.username, c.realm, c.password, PasswordAlgorithm.SHA256);
            byte[] md5Key = LongTermKey.of(c.username, c.realm, c.password);
            byte[] md5Only = {0, 1, 0, 0};
            List<StunMessage> answers = List.of(
                    // A bid-down: the list lost SHA-256 on the way (§9.2.1), the client picked MD5.
                    c.exchange(signed(c, algorithms(md5Only, md5Only), md5Key)),
                    // PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS, and the other way round.
                    c.exchange(signed(c, algorithms(null, new byte[] {0, 2, 0, 0}), sha256Key)),
                    c.exchange(signed(c, algorithms(OFFERED, null), md5Key)),
                    // An algorithm that is not in the list, and malformed values.
                    c.exchange(signed(c, algorithms(OFFERED, new byte[] {0, 3, 0, 0}), sha256Key)),
                    c.exchange(signed(c, algorithms(OFFERED, new byte[] {0, 2}), sha256Key)),
                    c.exchange(signed(c, algorithms(OFFERED, new byte[] {0, 2, 0, 4, 1, 2, 3, 4}), sha256Key)),
                    c.exchange(signed(c, algorithms(new byte[] {0, 2, 0}, new byte[] {0, 2, 0, 0}), sha256Key)));
            for (StunMessage answer : answers) {
                assertEquals(ErrorCode.BAD_REQUEST, TestStunClient.errorCode(answer));
                assertEquals(StunClass.ERROR_RESPONSE, answer.stunClass());
            }
            assertEquals(answers.size(), turn.meter("parley.turn.auth.failures", "reason", "bad_algorithm"));
            assertEquals(0, turn.allocationCount());
        }
    }

    private static Consumer<StunMessageWriter> algorithms(byte[] offered, byte[] chosen) {
        return w -> {
            udpAllocation(w);
            if (offered != null) {
                w.bytes(StunAttribute.PASSWORD_ALGORITHMS, offered);
            }
            if (chosen != null) {
                w.bytes(StunAttribute.PASSWORD_ALGORITHM, chosen);
            }
        };
    }

    /** An Allocate with {@code body}, USERNAME, REALM, NONCE and MESSAGE-INTEGRITY under {@code key}. */
    static byte[] signed(TestStunClient c, Consumer<StunMessageWriter> body, byte[] key) {
        return signedWithout(c, body, key, true);
    }

    /** Like {@link #signed}, with USERNAME only when {@code withUsername} (the body may bring USERHASH). */
    static byte[] signedWithout(TestStunClient c, Consumer<StunMessageWriter> body, byte[] key, boolean withUsername) {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        StunMessageWriter w = StunMessageWriter.start(out, StunMethod.ALLOCATE, StunClass.REQUEST, Transactions.newId());
        body.accept(w);
        if (withUsername) {
            w.string(StunAttribute.USERNAME, c.username);
        }
        w.string(StunAttribute.REALM, c.realm).string(StunAttribute.NONCE, c.nonce).integrity(key, false)
                .finishWithFingerprint();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }
}
