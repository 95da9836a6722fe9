package org.parley.loadtest.scenario;

import java.util.Map;
import org.parley.loadtest.stats.Sample;

/**
 * One kind of load. {@link #start} returns once the load is under way (the scenario schedules its
 * own work on the context's executors); the run samples it once a second, and calls {@link #stop}
 * at the end of the duration or when {@link #finished()} says so.
 */
public interface Scenario {

    String name();

    /** The scenario's settings as resolved from the options, for the report. */
    Map<String, Object> settings();

    void start(RunContext ctx) throws Exception;

    /** Sees every sample (capacity uses it to decide the next step). */
    default void onSample(Sample sample) {
    }

    /**
     * True once the load is fully in place (every connection opened, every pair or member
     * signed in, successfully or not). The run's duration counts from then, so a slow ramp-up
     * does not eat the time the load is meant to be held.
     */
    default boolean ready() {
        return true;
    }

    /** True when the scenario has ended by itself before the duration. */
    default boolean finished() {
        return false;
    }

    /** Winds the load down (hang up, leave, close), bounded in time. */
    void stop();

    /** Scenario-specific results for the report (call outcomes, capacity found...). */
    default Map<String, Object> summary() {
        return Map.of();
    }

    /** What each simulated member received, for media scenarios (the per-member table). */
    default java.util.List<org.parley.loadtest.stats.MemberFigures> members() {
        return java.util.List.of();
    }

    /** Lines printed after the run's summary (the conference's simulcast layer table). */
    default java.util.List<String> consoleReport() {
        return java.util.List.of();
    }

    /** Extra fields for the live progress line, e.g. {@code calls/s 50.0}. */
    default String progress(Sample sample) {
        return "";
    }
}
