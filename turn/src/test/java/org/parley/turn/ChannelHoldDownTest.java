package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMethod;

/**
 * ChannelBind rules of RFC 8656 §11.2 and the 5-minute hold-down of §12, against a real server on
 * loopback with the clock moved by hand (channels last 600 s, permissions 300 s).
 */
class ChannelHoldDownTest {
    private static final InetSocketAddress PEER_B = new InetSocketAddress("127.0.0.1", 9);
    @RegisterExtension
    final LoopbackTurn turn = new LoopbackTurn();
    private TestStunClient client;
    private DatagramSocket peerA;

    @BeforeEach
    void allocate() throws Exception {
        client = turn.start(Map.of()).restClient(7200);
        peerA = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        peerA.setSoTimeout(2000);
        StunMessage ok = client.request(StunMethod.ALLOCATE, w -> w
                .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0})
                .uint32(StunAttribute.LIFETIME, 3600));
        assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass());
    }

    @AfterEach
    void stop() {
        peerA.close();
        client.close();
    }

    private InetSocketAddress peerA() {
        return (InetSocketAddress) peerA.getLocalSocketAddress();
    }

    private int bind(int number, InetSocketAddress peer) throws Exception {
        StunMessage answer = client.request(StunMethod.CHANNEL_BIND, w -> w
                .bytes(StunAttribute.CHANNEL_NUMBER, new byte[] {(byte) (number >> 8), (byte) number, 0, 0})
                .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer));
        return answer.stunClass() == StunClass.SUCCESS_RESPONSE ? 200 : TestStunClient.errorCode(answer);
    }

    /** Lets the bindings made so far expire (600 s) and the server sweep them. */
    private void expireChannels() {
        turn.clock.advance(Duration.ofSeconds(601));
        turn.running.server().sweepNow();
    }

    @Test
    void aBoundNumberOrPeerCannotBeBoundToAnotherPeerOrNumber() throws Exception {
        assertEquals(200, bind(0x4001, peerA()));
        assertEquals(ErrorCode.BAD_REQUEST, bind(0x4001, PEER_B), "number already bound to another peer");
        assertEquals(ErrorCode.BAD_REQUEST, bind(0x4002, peerA()), "peer already bound to another number");
        assertEquals(200, bind(0x4001, peerA()), "rebinding the same pair refreshes it");
        assertEquals(1.0, turn.meter("parley.turn.channels.current"));
    }

    @Test
    void anExpiredBindingHoldsItsNumberAndPeerForFiveMinutes() throws Exception {
        assertEquals(200, bind(0x4001, peerA()));
        expireChannels();
        assertEquals(0.0, turn.meter("parley.turn.channels.current"));

        assertEquals(ErrorCode.BAD_REQUEST, bind(0x4001, PEER_B), "held number to another peer");
        assertEquals(ErrorCode.BAD_REQUEST, bind(0x4002, peerA()), "held peer to another number");
        turn.clock.advance(Duration.ofSeconds(298));
        turn.running.server().sweepNow();
        assertEquals(ErrorCode.BAD_REQUEST, bind(0x4001, PEER_B), "still held 299 s after expiry");

        // Five minutes after the expiry (601 s + 299 s = expiry + 300 s) both are free again.
        turn.clock.advance(Duration.ofSeconds(1));
        assertEquals(200, bind(0x4001, PEER_B));
        assertEquals(200, bind(0x4002, peerA()));
        assertEquals(2.0, turn.meter("parley.turn.channels.current"));
    }

    @Test
    void theHoldDownEndsEvenWithoutASweepInBetween() throws Exception {
        assertEquals(200, bind(0x4001, peerA()));
        expireChannels();
        turn.clock.advance(Duration.ofMinutes(10));
        assertEquals(200, bind(0x4001, PEER_B));
    }

    @Test
    void rebindingTheSamePairDuringTheHoldDownRevivesTheChannel() throws Exception {
        assertEquals(200, bind(0x4001, peerA()));
        expireChannels();
        // ChannelData on the expired channel is dropped: nothing reaches the peer.
        client.send(new byte[] {0x40, 0x01, 0, 1, 'x'});

        assertEquals(200, bind(0x4001, peerA()));
        assertEquals(1.0, turn.meter("parley.turn.channels.current"));
        client.send(new byte[] {0x40, 0x01, 0, 3, 'a', 'b', 'c'});
        DatagramPacket got = new DatagramPacket(new byte[100], 100);
        peerA.receive(got);
        assertEquals("abc", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8),
                "the revived channel carries data, and the earlier frame was not relayed");

        // The revived binding is an ordinary one again: it holds its pair, then expires and is held.
        assertEquals(ErrorCode.BAD_REQUEST, bind(0x4001, PEER_B));
        expireChannels();
        assertEquals(ErrorCode.BAD_REQUEST, bind(0x4001, PEER_B));
    }
}
