package org.parley.turn;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TURN server's meters, all named {@code parley.turn.*} (Prometheus: {@code parley_turn_*}).
 * Per-packet counts are plain fields written only by the event loop and read by the scrape through
 * function counters, so the packet path pays no atomic operation.
 */
final class TurnMetrics {
    private final MeterRegistry registry;
    final AtomicInteger allocations = new AtomicInteger();
    final AtomicInteger permissions = new AtomicInteger();
    final AtomicInteger channels = new AtomicInteger();
    final AtomicInteger tcpConnections = new AtomicInteger();
    private final Counter allocationsCreated;
    private final Counter peersDenied;
    private final Counter malformed;
    private final Counter rateLimited;
    private final Map<String, Counter> allocationFailures = new ConcurrentHashMap<>();

    /**
     * Every reason an Allocate can fail for (AllocateMethod, StunDispatcher). Their counters exist
     * from the start at 0, so that an alert's {@code increase()} sees the first refusal too: a
     * series born at 1 has no earlier sample to rise from.
     */
    static final List<String> ALLOCATION_FAILURE_REASONS = List.of("auth", "mismatch", "bad_request",
            "unsupported_transport", "family", "user_quota", "total_quota", "capacity", "reservation");

    // Written by the event loop only.
    long bytesToPeer;
    long packetsToPeer;
    long bytesToClient;
    long packetsToClient;
    long droppedNoPermission;
    long droppedBandwidth;
    long droppedSendBufferFull;
    long droppedSendError;
    /** System calls that read or wrote the UDP listening sockets, and the datagrams they moved. */
    long udpReads;
    long udpDatagramsRead;
    long udpWrites;
    long udpDatagramsWritten;
    /** Reads of the relay sockets (from peers), and the datagrams they moved. */
    long relayReads;
    long relayDatagramsRead;

    TurnMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("parley.turn.allocations.current", allocations, AtomicInteger::get)
                .description("Allocations that exist now").register(registry);
        Gauge.builder("parley.turn.permissions.current", permissions, AtomicInteger::get)
                .description("Permissions installed now").register(registry);
        Gauge.builder("parley.turn.channels.current", channels, AtomicInteger::get)
                .description("Channel bindings now").register(registry);
        Gauge.builder("parley.turn.tcp.connections.current", tcpConnections, AtomicInteger::get)
                .description("RFC 6062 peer data connections now").register(registry);
        // Prometheus reserves the _created suffix (a counter's creation time): the exporter drops
        // it, and this is parley_turn_allocations_total on /metrics.
        allocationsCreated = Counter.builder("parley.turn.allocations.created")
                .description("Allocations created").register(registry);
        for (String reason : ALLOCATION_FAILURE_REASONS) {
            allocationFailed(reason, 0);
        }
        peersDenied = Counter.builder("parley.turn.peers.denied")
                .description("Requests naming a peer the address policy denies").register(registry);
        malformed = Counter.builder("parley.turn.messages.malformed")
                .description("Packets that were neither valid STUN nor valid ChannelData").register(registry);
        rateLimited = Counter.builder("parley.turn.requests.ratelimited")
                .description("Unauthenticated requests dropped by the per-source rate limit").register(registry);
        traffic("parley.turn.relayed.bytes", "client_to_peer", m -> m.bytesToPeer);
        traffic("parley.turn.relayed.bytes", "peer_to_client", m -> m.bytesToClient);
        traffic("parley.turn.relayed.packets", "client_to_peer", m -> m.packetsToPeer);
        traffic("parley.turn.relayed.packets", "peer_to_client", m -> m.packetsToClient);
        FunctionCounter.builder("parley.turn.relayed.dropped", this, m -> m.droppedNoPermission)
                .tag("reason", "no_permission").register(registry);
        FunctionCounter.builder("parley.turn.relayed.dropped", this, m -> m.droppedBandwidth)
                .tag("reason", "bandwidth").register(registry);
        FunctionCounter.builder("parley.turn.relayed.dropped", this, m -> m.droppedSendBufferFull)
                .tag("reason", "send_buffer_full").register(registry);
        FunctionCounter.builder("parley.turn.relayed.dropped", this, m -> m.droppedSendError)
                .tag("reason", "send_error").register(registry);
        // Datagrams per system call on the listening sockets: above 1 when bursts are batched
        // (recvmmsg/sendmmsg, docs/turn.md); the ratio is what the batching saves.
        listenerIo("parley.turn.udp.syscalls", "read", m -> m.udpReads);
        listenerIo("parley.turn.udp.syscalls", "write", m -> m.udpWrites);
        listenerIo("parley.turn.udp.datagrams", "read", m -> m.udpDatagramsRead);
        listenerIo("parley.turn.udp.datagrams", "write", m -> m.udpDatagramsWritten);
        listenerIo("parley.turn.udp.syscalls", "relay_read", m -> m.relayReads);
        listenerIo("parley.turn.udp.datagrams", "relay_read", m -> m.relayDatagramsRead);
    }

    private void listenerIo(String name, String op, java.util.function.ToDoubleFunction<TurnMetrics> f) {
        FunctionCounter.builder(name, this, f).tag("op", op)
                .description("UDP listening sockets (read, write) and relay sockets (relay_read): system calls, and datagrams they moved").register(registry);
    }

    private void traffic(String name, String direction, java.util.function.ToDoubleFunction<TurnMetrics> f) {
        FunctionCounter.builder(name, this, f).tag("direction", direction).register(registry);
    }

    void allocationCreated() {
        allocationsCreated.increment();
    }

    /** An Allocate that failed, by reason (quota, capacity, auth, bad_request, ...). */
    void allocationFailed(String reason) {
        allocationFailed(reason, 1);
    }

    private void allocationFailed(String reason, int n) {
        allocationFailures.computeIfAbsent(reason, r -> Counter.builder("parley.turn.allocations.failed")
                .tag("reason", r).description("Refused Allocate requests by reason").register(registry))
                .increment(n);
    }

    /** RFC 8656 §7.2 port reservations: {@code made} by EVEN-PORT (R), {@code used} by RESERVATION-TOKEN. */
    void reservation(String outcome) {
        registry.counter("parley.turn.reservations", "outcome", outcome).increment();
    }

    void authFailure(String reason) {
        registry.counter("parley.turn.auth.failures", "reason", reason).increment();
    }

    void peerDenied() {
        peersDenied.increment();
    }

    void malformed() {
        malformed.increment();
    }

    void rateLimited() {
        rateLimited.increment();
    }
}
