package org.parley.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Set;

/**
 * Puts library meters into Prometheus base units. Micrometer's Netty binder reports byte amounts
 * without a unit ({@code netty_allocator_memory_used}), and its processor binder reports CPU time
 * in nanoseconds ({@code process_cpu_time_ns_total}); a dashboard summing or dividing such series
 * would silently mix units.
 */
final class BaseUnits {

    /** Netty allocator meters whose values are bytes. */
    private static final Set<String> NETTY_BYTES = Set.of("netty.allocator.memory.used",
            "netty.allocator.memory.pinned", "netty.allocator.pooled.chunk.size");

    /** Replaced by {@code process_cpu_seconds_total} (see {@link Metrics}). */
    private static final String CPU_NANOS = "process.cpu.time";

    static final MeterFilter FILTER = new MeterFilter() {
        @Override
        public MeterFilterReply accept(Meter.Id id) {
            return CPU_NANOS.equals(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            return NETTY_BYTES.contains(id.getName()) && id.getBaseUnit() == null ? id.withBaseUnit("bytes") : id;
        }
    };

    private BaseUnits() {
    }
}
