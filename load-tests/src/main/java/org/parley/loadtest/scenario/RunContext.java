package org.parley.loadtest.scenario;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.parley.loadtest.Tokens;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.target.Target;

/**
 * What a scenario works with: the one target, tokens, the metrics it writes, a scheduler for
 * timed steps (never blocked), a worker pool for blocking steps, one shared HTTP client for every
 * WebSocket, and a prefix that keeps this run's user and room ids apart from any other run's.
 */
public record RunContext(Target target, Tokens tokens, RunMetrics metrics, ScheduledExecutorService scheduler,
        ExecutorService workers, HttpClient http, String runId, PrintStream log) {
}
