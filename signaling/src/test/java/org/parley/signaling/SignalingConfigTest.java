package org.parley.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignalingConfigTest {

    private static SignalingConfig parse(String overrides) {
        return SignalingConfig.from(ConfigFactory.parseString("parley.signaling {" + overrides + "}")
                .withFallback(ConfigFactory.defaultReference()).resolve());
    }

    @Test
    void defaultsFromReferenceConf() {
        SignalingConfig c = parse("");
        assertEquals(65536, c.maxFrameBytes());
        assertEquals(Duration.ofSeconds(30), c.resumeGracePeriod());
        assertEquals(SignalingConfig.CallMedia.P2P, c.calls().media());
        assertEquals(Duration.ofSeconds(45), c.calls().ringTimeout());
        assertTrue(c.webhook().url().isEmpty());
        assertTrue(c.ice().turnSecret().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "max-frame-bytes = 10|parley.signaling.max-frame-bytes",
        "calls.media = carrier-pigeon|parley.signaling.calls.media",
        "calls.ring-timeout = 0s|parley.signaling.calls.ring-timeout",
        "ice.turn-urls = [\"http://x\"]|parley.signaling.ice.turn-urls",
        "webhook.url = \"ftp://x\"|parley.signaling.webhook.url",
        "rate-limit.burst = 0|parley.signaling.rate-limit.burst",
        "rooms.max-participants = 1|parley.signaling.rooms.max-participants",
        "rooms.max-live-invites = 0|parley.signaling.rooms.max-live-invites",
    })
    void badValuesNameTheFullKey(String override, String key) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(override));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
