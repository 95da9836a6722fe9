package org.parley.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayConfigTest {

    @Test
    void defaultsComeFromReferenceConf() {
        RelayConfig c = RelayConfig.from(ConfigFactory.defaultReference());
        assertEquals(10000, c.udpPort());
        assertEquals(4443, c.tcpPort());
        assertEquals(List.of(), c.advertisedAddresses());
        assertEquals(Duration.ofSeconds(30), c.endpointTimeout());
        assertEquals("", c.apiSecret());
        assertEquals(RelayConfig.DEFAULT_SEND_QUEUE_PACKETS, c.sendQueuePackets());
        assertEquals(-1, c.lastN(), "last-N unlimited unless configured");
    }

    @Test
    void lastNIsMinusOneOrACountAndABadOneIsNamed() {
        var three = ConfigFactory.parseString("parley.relay.last-n = 3").withFallback(ConfigFactory.defaultReference());
        assertEquals(3, RelayConfig.from(three).lastN());
        var bad = ConfigFactory.parseString("parley.relay.last-n = -2").withFallback(ConfigFactory.defaultReference());
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(bad));
        assertTrue(e.getMessage().contains("parley.relay.last-n"), e.getMessage());
    }

    @Test
    void cascadeLinksAreOffByDefaultAndABadPortIsNamed() {
        assertEquals(-1, RelayConfig.from(ConfigFactory.defaultReference()).cascadePort());
        var any = ConfigFactory.parseString("parley.relay.cascade.port = 0").withFallback(ConfigFactory.defaultReference());
        assertEquals(0, RelayConfig.from(any).cascadePort());
        var bad = ConfigFactory.parseString("parley.relay.cascade.port = 70000")
                .withFallback(ConfigFactory.defaultReference());
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(bad));
        assertTrue(e.getMessage().contains("parley.relay.cascade.port"), e.getMessage());
    }

    @Test
    void badValuesNameTheFullKey() {
        var bad = ConfigFactory.parseString("parley.relay.advertised-addresses = [\"not-an-ip\"]")
                .withFallback(ConfigFactory.defaultReference());
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(bad));
        assertTrue(e.getMessage().contains("parley.relay.advertised-addresses"), e.getMessage());
        var shortSecret = ConfigFactory.parseString("parley.relay.api-secret = short")
                .withFallback(ConfigFactory.defaultReference());
        e = assertThrows(ConfigException.class, () -> RelayConfig.from(shortSecret));
        assertTrue(e.getMessage().contains("parley.relay.api-secret"), e.getMessage());
        var port = ConfigFactory.parseString("parley.relay.udp-port = 70000").withFallback(ConfigFactory.defaultReference());
        e = assertThrows(ConfigException.class, () -> RelayConfig.from(port));
        assertTrue(e.getMessage().contains("parley.relay.udp-port"), e.getMessage());
        var queue = ConfigFactory.parseString("parley.relay.send-queue-packets = 2")
                .withFallback(ConfigFactory.defaultReference());
        e = assertThrows(ConfigException.class, () -> RelayConfig.from(queue));
        assertTrue(e.getMessage().contains("parley.relay.send-queue-packets"), e.getMessage());
    }

    @Test
    void bandwidthEstimateBoundsAreReadAndCheckedByName() {
        assertEquals(org.parley.relay.bwe.BweSettings.DEFAULTS,
                RelayConfig.from(ConfigFactory.defaultReference()).bwe());
        for (String[] bad : new String[][] {{"parley.relay.bwe.initial-bitrate = 0", "initial-bitrate"},
                {"parley.relay.bwe.min-bitrate = 2000000", "min-bitrate"},
                {"parley.relay.bwe.initial-bitrate = 90000000", "initial-bitrate"},
                {"parley.relay.bwe.max-bitrate = -1", "max-bitrate"}}) {
            var c = ConfigFactory.parseString(bad[0]).withFallback(ConfigFactory.defaultReference());
            ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(c), bad[0]);
            assertTrue(e.getMessage().contains("parley.relay.bwe." + bad[1]), e.getMessage());
        }
    }

    @Test
    void publicAddressMappingsArePublicSlashLocalAddressesOfOneFamily() {
        var good = ConfigFactory.parseString("parley.relay.advertised-addresses = [\"203.0.113.7/10.0.0.5\", \"2001:db8::7\"]")
                .withFallback(ConfigFactory.defaultReference());
        assertEquals(List.of("203.0.113.7/10.0.0.5", "2001:db8::7"), RelayConfig.from(good).advertisedAddresses());
        for (String bad : List.of("203.0.113.7/host.example", "203.0.113.7/10.0.0.5/1", "0.0.0.0",
                "203.0.113.7/0.0.0.0", "203.0.113.7/fd00::5", "")) {
            var c = ConfigFactory.parseString("parley.relay.advertised-addresses = [\"" + bad + "\"]")
                    .withFallback(ConfigFactory.defaultReference());
            ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(c), bad);
            assertTrue(e.getMessage().contains("parley.relay.advertised-addresses"), e.getMessage());
        }
    }
}
