package org.parley.signaling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The {@code parley_signaling_*} meters. Tag values come from closed sets (message types, codes,
 * reasons) so a client cannot blow up the registry with made-up names.
 */
public final class SignalingMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Set<String> knownTypes = Set.of();
    private final Timer inviteToRinging;
    private final Timer acceptToConnected;

    public SignalingMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("parley.signaling.connections", connections, AtomicInteger::get)
                .description("Open WebSocket connections").register(registry);
        this.inviteToRinging = setup("invite_to_ringing");
        this.acceptToConnected = setup("accept_to_connected");
    }

    private Timer setup(String phase) {
        return Timer.builder("parley.signaling.call.setup").tag("phase", phase)
                .description("Call set-up time by phase").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
    }

    /** Registers a gauge read from loop state (sizes of maps; a stale read is harmless). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** The message types counted by name; others count as "unknown". */
    void knownTypes(Set<String> types) {
        this.knownTypes = Set.copyOf(types);
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void message(String type) {
        count("parley.signaling.messages", "type", knownTypes.contains(type) ? type : "unknown",
                "Client messages by type");
    }

    public void error(String code) {
        count("parley.signaling.errors", "code", code, "Errors sent to clients by code");
    }

    /** A call ended; {@code reason} is its end reason (the outcome). */
    public void callEnded(String reason) {
        count("parley.signaling.calls", "outcome", reason.length() <= 32 ? reason : "other",
                "Ended one-to-one calls by outcome");
    }

    public void webhook(String result) {
        count("parley.signaling.webhook", "result", result, "Offline-callee webhook calls by result");
    }

    public void inviteToRinging(Duration d) {
        inviteToRinging.record(d);
    }

    public void acceptToConnected(Duration d) {
        acceptToConnected.record(d);
    }

    private void count(String name, String tag, String value, String description) {
        counters.computeIfAbsent(name + '|' + value,
                k -> Counter.builder(name).tag(tag, value).description(description).register(registry))
                .increment();
    }
}
