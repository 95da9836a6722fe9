package org.parley.loadtest.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void metricsLiveOnTheSameHostAndPort() {
        assertEquals(URI.create("http://127.0.0.1:8080/metrics"), Target.of("ws://127.0.0.1:8080/ws").metrics());
        assertEquals(URI.create("https://parley.example:443/metrics"), Target.of("wss://parley.example:443/ws").metrics());
        assertEquals(URI.create("https://parley.example/metrics"), Target.of("wss://parley.example/ws").metrics());
        assertEquals(URI.create("http://[::1]:9000/metrics"), Target.of("ws://[::1]:9000/ws").metrics());
    }

    @Test
    void onlyWebSocketUrls() {
        assertThrows(IllegalArgumentException.class, () -> Target.of("http://127.0.0.1:8080/ws"));
        assertThrows(IllegalArgumentException.class, () -> Target.of("127.0.0.1:8080"));
        assertThrows(IllegalArgumentException.class, () -> Target.of("ws:///ws"));
    }

    @Test
    void severalNodesAreTakenInTurn() {
        Targets t = Targets.of(java.util.List.of("ws://127.0.0.1:1/ws", "ws://127.0.0.1:2/ws,ws://127.0.0.1:3/ws"));
        assertEquals("ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws,ws://127.0.0.1:3/ws", t.toString());
        int[] ports = new int[7];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = t.next().signaling().getPort();
        }
        assertEquals("[1, 2, 3, 1, 2, 3, 1]", java.util.Arrays.toString(ports));
        assertEquals("--url is required", assertThrows(IllegalArgumentException.class,
                () -> Targets.of(java.util.List.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Targets.of(java.util.List.of("ws://h:1/ws", "ws://h:1/ws")));
    }
}
