package org.parley.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;

/**
 * Builds the one registry of the process; every part gets it passed in, none keeps a static one.
 * Every name it exports is in base units (seconds, bytes) and every counter ends in {@code _total},
 * as the Prometheus naming conventions ask; {@link BaseUnits} fixes the meters of libraries that
 * do not.
 */
final class Metrics {

    private Metrics() {
    }

    static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(BaseUnits.FILTER);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // process_files_open_files / process_files_max_files: a process at its nofile limit accepts
        // nothing more (docs/operations.md "Connection limits and open files"), so alerts need them.
        new FileDescriptorMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        processCpuSeconds(registry);
        return registry;
    }

    /**
     * {@code process_cpu_seconds_total}, the name Prometheus's own client libraries use, in place
     * of Micrometer's {@code process_cpu_time_ns_total} (which {@link BaseUnits} denies).
     */
    private static void processCpuSeconds(PrometheusMeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time the process has used").register(registry);
        }
    }
}
