package org.parley.cluster.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class RelayPoolConfigTest {

    @Test
    void conferencesStayWholeByDefaultAndANegativeSpreadIsNamed() {
        assertEquals(0, RelayPoolConfig.from(ConfigFactory.defaultReference()).maxEndpointsPerRelay());
        var two = ConfigFactory.parseString("parley.cluster.relays.max-endpoints-per-relay = 2")
                .withFallback(ConfigFactory.defaultReference());
        assertEquals(2, RelayPoolConfig.from(two).maxEndpointsPerRelay());
        var bad = ConfigFactory.parseString("parley.cluster.relays.max-endpoints-per-relay = -1")
                .withFallback(ConfigFactory.defaultReference());
        ConfigException e = assertThrows(ConfigException.class, () -> RelayPoolConfig.from(bad));
        assertTrue(e.getMessage().contains("parley.cluster.relays.max-endpoints-per-relay"), e.getMessage());
    }
}
