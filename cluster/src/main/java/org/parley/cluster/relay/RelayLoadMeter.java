package org.parley.cluster.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Measures a relay's load from its own meters (parley_relay_endpoints, parley_relay_packets_in/out)
 * and the JVM's view of the process's CPU. Called once per registration refresh, never per packet:
 * the packet path only counts, as it always did.
 */
public final class RelayLoadMeter implements Supplier<RelayLoad> {

    private final MeterRegistry registry;
    private final Clock clock;
    private final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private double lastPackets = -1;
    private long lastMillis;

    public RelayLoadMeter(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** Endpoints on the relay now. */
    public int endpoints() {
        Gauge g = registry.find("parley_relay_endpoints").gauge();
        return g == null ? 0 : (int) g.value();
    }

    @Override
    public synchronized RelayLoad get() {
        double packets = 0;
        for (String name : new String[] {"parley_relay_packets_in", "parley_relay_packets_out"}) {
            for (Counter c : registry.find(name).counters()) {
                packets += c.count();
            }
        }
        long now = clock.millis();
        long rate = 0;
        if (lastPackets >= 0 && now > lastMillis) {
            rate = Math.round((packets - lastPackets) * 1000 / (now - lastMillis));
        }
        lastPackets = packets;
        lastMillis = now;
        return new RelayLoad(endpoints(), Math.max(0, rate), cpu());
    }

    private double cpu() {
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuLoad();
        }
        return -1;
    }
}
