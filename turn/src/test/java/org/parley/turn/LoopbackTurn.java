package org.parley.turn;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A TURN server on loopback for one test, with a clock the test moves by hand; stopped after the
 * test. Register with {@code @RegisterExtension final LoopbackTurn turn = new LoopbackTurn();}.
 */
final class LoopbackTurn implements AfterEachCallback {
    final MutableClock clock = new MutableClock(Instant.now());
    TestServers.Running running;

    /** Starts the server with {@link TestServers#config} and these overrides. */
    LoopbackTurn start(Map<String, Object> overrides) throws InterruptedException {
        running = TestServers.start(TestServers.config(overrides), clock);
        return this;
    }

    /** A client with REST credentials for "alice" valid {@code validSeconds} from now. */
    TestStunClient restClient(long validSeconds) throws Exception {
        String username = (clock.millis() / 1000 + validSeconds) + ":alice";
        return new TestStunClient(running.address("udp")).credentials(username,
                RestCredentials.password(TestServers.SECRET.getBytes(StandardCharsets.UTF_8), username));
    }

    /** A client without credentials yet. */
    TestStunClient client() throws Exception {
        return new TestStunClient(running.address("udp"));
    }

    double meter(String name, String... tags) {
        return running.meter(name, tags);
    }

    int allocationCount() {
        return running.server().allocationCount();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (running != null) {
            running.close();
            running = null;
        }
    }
}
