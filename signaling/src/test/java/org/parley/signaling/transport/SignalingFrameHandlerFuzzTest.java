package org.parley.signaling.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.parley.signaling.ManualScheduler;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Request;

/**
 * Random and mutated frames through the WebSocket handler on an EmbeddedChannel: nothing escapes,
 * every input buffer is released, garbage gets typed errors, well-formed requests pass through.
 */
class SignalingFrameHandlerFuzzTest {

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void fuzzedFramesGetTypedErrorsAndAreReleased() throws Exception {
        SignalingConfig config = SignalingConfig.from(ConfigFactory.parseString(
                "parley.signaling.rate-limit.burst = 1000000").withFallback(ConfigFactory.defaultReference()).resolve());
        List<Request> passed = new ArrayList<>();
        ConnectionListener listener = new PassedRequests(passed);
        EmbeddedChannel ch = new EmbeddedChannel(new SignalingFrameHandler(config, listener,
                new ManualScheduler(Instant.EPOCH)));
        ch.pipeline().fireUserEventTriggered(new HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
        Set<String> codes = Set.of(ErrorCode.values()).stream().map(ErrorCode::wireName)
                .collect(java.util.stream.Collectors.toSet());
        ObjectMapper json = new ObjectMapper();
        Random random = new Random(7);
        String seed = "{\"type\":\"call.offer\",\"id\":\"r9\",\"callId\":\"c-1\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\"}";
        int errors = 0;
        for (int i = 0; i < 5_000; i++) {
            WebSocketFrame frame;
            if (i % 10 == 0) {
                byte[] b = new byte[1 + random.nextInt(100)];
                random.nextBytes(b);
                frame = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b));
            } else {
                char[] c = seed.toCharArray();
                for (int e = random.nextInt(5); e > 0; e--) {
                    c[random.nextInt(c.length)] = (char) random.nextInt(0x800);
                }
                frame = new TextWebSocketFrame(new String(c));
            }
            ch.writeInbound(frame);
            assertEquals(0, frame.refCnt(), "input frame released");
            ch.checkException();
            Object out;
            while ((out = ch.readOutbound()) != null) {
                TextWebSocketFrame t = (TextWebSocketFrame) out;
                JsonNode err = json.readTree(t.content().toString(StandardCharsets.UTF_8));
                t.release();
                assertEquals("error", err.get("type").asText());
                assertTrue(codes.contains(err.get("code").asText()), err.toString());
                errors++;
            }
        }
        assertTrue(errors > 500, "garbage was answered: " + errors);
        assertTrue(passed.size() > 100, "well-formed requests still pass: " + passed.size());
        assertTrue(ch.isActive());
        ch.finishAndReleaseAll();
    }
}
