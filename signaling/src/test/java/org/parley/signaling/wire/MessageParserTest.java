package org.parley.signaling.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The envelope rules of docs/protocol.md §2, and a bounded fuzz of the parser. */
class MessageParserTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{x|malformed_json",
        "''|malformed_message",
        "[]|malformed_message",
        "42|malformed_message",
        "{\"type\":\"ping\",\"id\":true}|malformed_message",
        "{\"type\":\"ping\",\"id\":\"\"}|malformed_message",
        "{\"type\":\"ping\",\"id\":1.5}|malformed_message",
        "{\"id\":\"a\"}|unknown_type",
        "{\"id\":\"a\",\"type\":7}|unknown_type",
    })
    void refusesBadEnvelopes(String text, String code) {
        MessageParser.Failure f = assertThrows(MessageParser.Failure.class, () -> MessageParser.parse(text));
        assertEquals(code, f.error().code().wireName());
    }

    @Test
    void readsTypeIdAndFields() {
        Request r = MessageParser.parse("{\"type\":\"call.invite\",\"id\":\"r1\",\"to\":\"bob\",\"media\":\"audio\"}");
        assertEquals("call.invite", r.type());
        assertEquals("r1", r.id().asText());
        assertEquals("bob", r.text("to"));
        assertEquals("missing_field", assertThrows(ProtocolException.class, () -> r.text("callId")).code().wireName());
        assertEquals("invalid_field", assertThrows(ProtocolException.class, () -> r.optBool("to")).code().wireName());
        assertNull(MessageParser.parse("{\"type\":\"ack\",\"seq\":3}").id());
        assertEquals("a".repeat(64), MessageParser.parse("{\"type\":\"x\",\"id\":\"" + "a".repeat(64) + "\"}").id().asText());
        assertThrows(MessageParser.Failure.class,
                () -> MessageParser.parse("{\"type\":\"x\",\"id\":\"" + "a".repeat(65) + "\"}"));
    }

    /** Random and mutated frames: the parser returns a request or a typed failure, nothing else. */
    @Test
    void fuzzedFramesNeverEscapeAsOtherExceptions() {
        Random random = new Random(20261125);
        List<String> seeds = List.of(
                "{\"type\":\"call.invite\",\"id\":\"r1\",\"to\":\"bob\",\"media\":\"video\"}",
                "{\"type\":\"call.candidate\",\"id\":7,\"callId\":\"c-1\",\"candidate\":\"candidate:1 1 udp 2 127.0.0.1 9 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}",
                "{\"type\":\"hello\",\"id\":\"h\",\"token\":\"a.b.c\",\"device\":\"phone\",\"resumeToken\":\"x\",\"lastSeq\":12}",
                "{\"type\":\"room.subscribe\",\"id\":\"s\",\"roomId\":\"r\",\"participantIds\":[\"a\",\"b\",null]}");
        for (int i = 0; i < 20_000; i++) {
            String text;
            if (i % 4 == 0) {
                byte[] b = new byte[random.nextInt(64)];
                random.nextBytes(b);
                text = new String(b, StandardCharsets.UTF_8);
            } else {
                char[] c = seeds.get(random.nextInt(seeds.size())).toCharArray();
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    c[random.nextInt(c.length)] = (char) (random.nextBoolean() ? random.nextInt(128) : "{}[]\",:0\\".charAt(random.nextInt(9)));
                }
                text = new String(c, 0, random.nextInt(10) == 0 ? random.nextInt(c.length) : c.length);
            }
            try {
                Request r = MessageParser.parse(text);
                r.optText("to");
            } catch (MessageParser.Failure expected) {
                // a typed refusal
            } catch (ProtocolException expected) {
                // a typed field error
            }
        }
    }
}
