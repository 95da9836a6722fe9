package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.parley.netio.NativeDatagramBatch;
import org.parley.turn.stun.FuzzSeeds;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunParseException;

/**
 * Bounded fuzzing of the server's packet handling (not only the parser): random and mutated
 * datagrams into the UDP listener handler and random byte streams into the TCP framing. Nothing may
 * escape a handler, every input buffer must be released, and every answer must be valid STUN.
 */
class ServerFuzzTest {
    private static final int DATAGRAMS = 20_000;

    @Test
    void theUdpListenerSurvivesGarbageAndReleasesEveryBuffer() throws Exception {
        // The seeds' REST usernames expire in 2096: a credential lifetime that admits them lets the
        // mutations reach the integrity check.
        TurnConfig config = TestServers.config(Map.of("parley.turn.unauthenticated-rate", 1_000_000,
                "parley.turn.unauthenticated-burst", 1_000_000, "parley.turn.max-credential-lifetime", "36500d"));
        EmbeddedChannel channel = new EmbeddedChannel();
        MutableClock clock = new MutableClock(Instant.now());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TurnMetrics metrics = new TurnMetrics(registry);
        NonceService nonces = new NonceService(clock, 600);
        TurnContext ctx = new TurnContext(config, clock, channel.eventLoop(), metrics, new AllocationTable(metrics),
                new Authenticator(config, nonces, clock), nonces, PeerAddressPolicy.from(config),
                new RelayPortPool(config.minPort(), config.maxPort(), channel.eventLoop(), metrics,
                        NativeDatagramBatch.AVAILABLE), new RelayAddresses(config),
                new SourceRateLimiter(config.unauthenticatedRate(), config.unauthenticatedBurst()));
        channel.pipeline().addLast(new UdpListenerHandler(ctx, new StunDispatcher(ctx)));

        Random random = new Random(8656);
        // The RFC 8489 seeds carry a nonce valid for 127.0.0.1, so their mutations get past the nonce
        // check into the PASSWORD-ALGORITHM(S), USERHASH and USERNAME handling.
        String nonce = nonces.issue(java.net.InetAddress.getByName("127.0.0.1"),
                SecurityFeatures.of(config).noncePrefix());
        List<byte[]> seeds = List.of(FuzzSeeds.allocateRequest(), FuzzSeeds.sendIndication(), binding(),
                new byte[] {0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4},
                FuzzSeeds.allocateRequestRfc8489(config.realm(), nonce, true),
                FuzzSeeds.allocateRequestRfc8489(config.realm(), nonce, false));
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", 3478);
        int answers = 0;
        for (int i = 0; i < DATAGRAMS; i++) {
            byte[] bytes = i % 5 == 0 ? randomBytes(random)
                    : org.parley.turn.stun.StunFuzzTestAccess.mutate(seeds.get(random.nextInt(seeds.size())), random);
            ByteBuf content = Unpooled.wrappedBuffer(bytes);
            InetSocketAddress sender = new InetSocketAddress("127.0.0." + (1 + random.nextInt(3)), 1024 + random.nextInt(60000));
            channel.writeInbound(new DatagramPacket(content, server, sender));
            assertEquals(0, content.refCnt(), "input buffer not released");
            Object out;
            while ((out = channel.readOutbound()) != null) {
                DatagramPacket answer = (DatagramPacket) out;
                try {
                    StunMessage.parse(answer.content());
                    answers++;
                } catch (StunParseException e) {
                    throw new AssertionError("server sent invalid STUN", e);
                } finally {
                    answer.release();
                }
            }
        }
        channel.checkException();
        assertTrue(answers > 100, "some inputs should still be answered, got " + answers);
        // Mutations reached the credential checks behind the nonce, not only the parser.
        for (String reason : new String[] {"bad_algorithm", "bad_integrity", "unknown_user"}) {
            var failures = registry.find("parley.turn.auth.failures").tag("reason", reason).counter();
            assertTrue(failures != null && failures.count() > 0, "no auth failure " + reason);
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void theTcpFramingReleasesEveryFrameAndClosesOnGarbage() {
        Random random = new Random(6062);
        for (int round = 0; round < 2_000; round++) {
            EmbeddedChannel channel = new EmbeddedChannel(new StreamFrameDecoder(new TurnMetrics(new SimpleMeterRegistry())));
            List<ByteBuf> inputs = new ArrayList<>();
            for (int chunk = 0; chunk < 5 && channel.isOpen(); chunk++) {
                byte[] bytes = random.nextBoolean() ? randomBytes(random)
                        : org.parley.turn.stun.StunFuzzTestAccess.mutate(FuzzSeeds.sendIndication(), random);
                ByteBuf in = Unpooled.wrappedBuffer(bytes);
                inputs.add(in);
                channel.writeInbound(in);
                Object frame;
                while ((frame = channel.readInbound()) != null) {
                    ((ByteBuf) frame).release();
                }
            }
            channel.finishAndReleaseAll();
            for (ByteBuf in : inputs) {
                assertEquals(0, in.refCnt(), "stream input not released");
            }
        }
    }

    private static byte[] binding() {
        ByteBuf out = Unpooled.buffer();
        org.parley.turn.stun.StunMessageWriter.start(out, org.parley.turn.stun.StunMethod.BINDING,
                org.parley.turn.stun.StunClass.REQUEST, new byte[12]).finishWithFingerprint();
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        out.release();
        return b;
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[1 + random.nextInt(120)]; // never empty: Unpooled.EMPTY_BUFFER cannot be released
        random.nextBytes(b);
        return b;
    }
}
