package org.parley.loadtest.scenario;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.parley.loadtest.Tokens;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.target.Targets;
import org.parley.relay.transport.SrtpWarmUp;

/**
 * What a scenario works with: the server or cluster nodes, tokens, the metrics it writes, a scheduler for
 * timed steps (never blocked), a worker pool for blocking steps, one shared HTTP client for every
 * WebSocket, and a prefix that keeps this run's user and room ids apart from any other run's.
 */
public record RunContext(Targets target, Tokens tokens, RunMetrics metrics, ScheduledExecutorService scheduler,
        ExecutorService workers, HttpClient http, String runId, PrintStream log) {

    /** Lets jitsi-srtp pick its AES providers before load is placed (see {@link SrtpWarmUp}). */
    void warmUpSrtp() {
        java.time.Duration took = SrtpWarmUp.run();
        if (!took.isZero()) {
            log.printf(java.util.Locale.ROOT, "SRTP ciphers ready after %.1f s (jitsi-srtp picks its AES provider once)%n",
                    took.toMillis() / 1e3);
        }
    }
}
