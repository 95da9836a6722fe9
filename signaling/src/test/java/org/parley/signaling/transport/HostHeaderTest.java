package org.parley.signaling.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {host} of ICE server URLs comes from the Host header, never with anything injected. */
class HostHeaderTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "example.org:8080|example.org",
        "example.org|example.org",
        "127.0.0.1:18766|127.0.0.1",
        "[::1]:8080|[::1]",
        "[fd00::2]|[fd00::2]",
        "NULL|fallback",
        "''|fallback",
        "evil.org?transport=tcp|fallback",
        "a b|fallback",
        "[::1|fallback",
    })
    void hostPartOrFallback(String header, String host) {
        assertEquals(host, SignalingFrameHandler.hostOf(header, "fallback"));
    }
}
