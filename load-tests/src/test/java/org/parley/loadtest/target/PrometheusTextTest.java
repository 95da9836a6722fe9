package org.parley.loadtest.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String BODY = """
            # HELP process_cpu_usage The "recent cpu usage" for the Java Virtual Machine process
            # TYPE process_cpu_usage gauge
            process_cpu_usage 0.25
            process_cpu_usage_other 9
            system_cpu_count 2.0
            parley_relay_packets_out_total{kind="audio"} 1200.0
            parley_relay_packets_out_total{kind="rtcp"} 50.0
            parley_relay_packets_out_total{kind="video"} 3000.0 1764072000000
            """;

    @Test
    void sumsMatchingSeries() {
        assertEquals(0.25, PrometheusText.sum(BODY, "process_cpu_usage", null));
        assertEquals(4250.0, PrometheusText.sum(BODY, "parley_relay_packets_out_total", null));
        assertEquals(3000.0, PrometheusText.sum(BODY, "parley_relay_packets_out_total", "kind=\"video\""));
        assertTrue(Double.isNaN(PrometheusText.sum(BODY, "nothing_here", null)));
    }

    @Test
    void serverReadingGivesCoresAndForwardedMedia() {
        ServerMetrics.Reading r = ServerMetrics.parse(1, BODY);
        assertEquals(0.5, r.cpuCores(), 1e-9, "a quarter of two cores");
        assertEquals(4200.0, r.forwardedPackets(), 1e-9, "audio + video, RTCP left out");
        assertTrue(Double.isNaN(ServerMetrics.parse(1, "process_cpu_usage 0.1\n").forwardedPackets()));
    }
}
