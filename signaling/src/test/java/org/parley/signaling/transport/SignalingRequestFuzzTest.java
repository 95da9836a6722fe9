package org.parley.signaling.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.parley.signaling.ManualScheduler;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.MessageParser;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * Coverage-guided fuzzing of the signaling request parser (docs/fuzzing.md): the frame's text
 * through {@link MessageParser} and the field accessors handlers use, and the same frame through
 * the real {@link SignalingFrameHandler} of a WebSocket pipeline. Seeds in
 * {@code SignalingRequestFuzzTestInputs/frame} are requests from docs/protocol.md.
 *
 * <p>The contract: the parser refuses only with {@link MessageParser.Failure} and accessors only
 * with {@link ProtocolException}; a parsed request written back as JSON parses to the same
 * request; the handler releases every frame, answers garbage only with documented error codes,
 * passes well-formed requests on, and stays open.
 */
class SignalingRequestFuzzTest {

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private static final SignalingConfig CONFIG = SignalingConfig.from(ConfigFactory.parseString(
            "parley.signaling.rate-limit.burst = 1000000000").withFallback(ConfigFactory.defaultReference()).resolve());
    private static final Set<String> DOCUMENTED = Stream.of(ErrorCode.values()).map(ErrorCode::wireName)
            .collect(Collectors.toSet());

    /**
     * JSON equality by value: a number is the same number however it is spelled. The parser reads
     * decimals exactly, so {@code 9157.0} is a decimal node that writes as {@code 9157} and reads
     * back as an integer node; both are the number 9157 (RFC 8259 section 6 gives numbers no type).
     */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    @FuzzTest(maxDuration = "20s")
    void frame(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        Request parsed = null;
        try {
            parsed = MessageParser.parse(text);
        } catch (MessageParser.Failure refused) {
            assertTrue(DOCUMENTED.contains(refused.error().code().wireName()));
        }
        if (parsed != null) {
            readEveryField(parsed);
            Request again = MessageParser.parse(Json.MAPPER.writeValueAsString(parsed.body()));
            assertEquals(parsed.type(), again.type(), "type survives a round trip");
            assertEquals(parsed.id(), again.id(), "id survives a round trip");
            JsonNode before = parsed.body();
            assertTrue(before.equals(SAME_VALUE, again.body()),
                    () -> "body survives a round trip: " + before + " became " + again.body());
        }
        assertThroughTheFrameHandler(text, parsed != null);
    }

    /** Every typed accessor on every field: a wrong type is a typed refusal, never a crash. */
    private static void readEveryField(Request r) {
        for (Iterator<String> it = r.body().fieldNames(); it.hasNext();) {
            String field = it.next();
            try {
                r.optText(field);
            } catch (ProtocolException expected) {
                assertEquals(ErrorCode.INVALID_FIELD, expected.code());
            }
            try {
                r.optReason(field);
            } catch (ProtocolException expected) {
                assertEquals(ErrorCode.INVALID_FIELD, expected.code());
            }
            try {
                r.optBool(field);
            } catch (ProtocolException expected) {
                assertEquals(ErrorCode.INVALID_FIELD, expected.code());
            }
            try {
                r.optLong(field, 0, 86_400);
            } catch (ProtocolException expected) {
                assertEquals(ErrorCode.INVALID_FIELD, expected.code());
            }
        }
    }

    private static void assertThroughTheFrameHandler(String text, boolean wellFormed) throws Exception {
        List<Request> passed = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new SignalingFrameHandler(CONFIG, new PassedRequests(passed),
                new ManualScheduler(Instant.EPOCH)));
        try {
            channel.pipeline().fireUserEventTriggered(new HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
            // Valid UTF-8 as Netty's Utf8FrameValidator lets through, in a buffer of its own even when
            // empty (the shared empty buffer cannot be released).
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            TextWebSocketFrame frame = new TextWebSocketFrame(Unpooled.buffer(Math.max(1, utf8.length)).writeBytes(utf8));
            channel.writeInbound(frame);
            assertEquals(0, frame.refCnt(), "the handler releases the frame");
            channel.checkException();
            Object out;
            int errors = 0;
            while ((out = channel.readOutbound()) != null) {
                TextWebSocketFrame reply = (TextWebSocketFrame) out;
                JsonNode error = Json.MAPPER.readTree(reply.content().toString(StandardCharsets.UTF_8));
                reply.release();
                assertEquals("error", error.path("type").asText(), error.toString());
                assertTrue(DOCUMENTED.contains(error.path("code").asText()), error.toString());
                errors++;
            }
            assertEquals(wellFormed ? 1 : 0, passed.size(), "a well-formed request is passed on");
            assertEquals(wellFormed ? 0 : 1, errors, "garbage gets exactly one error");
            assertTrue(channel.isActive(), "bad input does not close the connection");
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Found by the CI fuzz budget: {@code "d":9157.0} came back as {@code 9157}, the same number. */
    @Test
    void aDecimalWithAZeroFractionSurvivesARoundTripAsTheSameNumber() throws Exception {
        frame(Files.readAllBytes(Path.of(getClass().getResource(
                "SignalingRequestFuzzTestInputs/frame/crash-decimal-with-zero-fraction").toURI())));
    }

    @Test
    void everySeedIsAWellFormedRequest() throws Exception {
        try (Stream<Path> seeds = Files.list(Path.of(getClass().getResource("SignalingRequestFuzzTestInputs/frame").toURI()))) {
            for (Path seed : seeds.filter(p -> !p.getFileName().toString().startsWith("crash-")).toList()) {
                MessageParser.parse(Files.readString(seed));
            }
        }
    }

    /**
     * Found by this fuzz target: text after the JSON object was ignored (RFC 8259 section 2: a JSON
     * text is one value), so {@code {"type":"ping"...} {"type":"bye"}} was taken for a ping.
     */
    @Test
    void aFrameWithTextAfterItsJsonObjectIsMalformedJson() throws Exception {
        List<Request> passed = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new SignalingFrameHandler(CONFIG, new PassedRequests(passed),
                new ManualScheduler(Instant.EPOCH)));
        channel.pipeline().fireUserEventTriggered(new HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
        channel.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\",\"id\":\"r1\"} {\"type\":\"bye\",\"id\":\"r2\"}"));
        TextWebSocketFrame reply = channel.readOutbound();
        JsonNode error = Json.MAPPER.readTree(reply.content().toString(StandardCharsets.UTF_8));
        reply.release();
        assertEquals("malformed_json", error.path("code").asText(), error.toString());
        assertEquals(List.of(), passed);
        assertTrue(channel.isActive());
        channel.finishAndReleaseAll();
    }

    /**
     * Found by this fuzz target: a decimal beyond a double's range (80e390) became Infinity, so the
     * request the server saw was not the one the client wrote; decimals are now read exactly.
     */
    @Test
    void aDecimalBeyondADoublesRangeIsReadAsWritten() {
        Request r = MessageParser.parse("{\"type\":\"call.media\",\"id\":\"r1\",\"audio\":80e390}");
        assertEquals(0, new java.math.BigDecimal("80e390").compareTo(r.node("audio").decimalValue()));
        ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                () -> r.optBool("audio"));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
    }
}
