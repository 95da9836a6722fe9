package org.parley.loadtest.target;

import java.net.http.HttpClient;
import java.util.List;

/**
 * {@link ServerMetrics} of every node, added up: the cores all nodes kept busy and the packets
 * all their relays forwarded. With one node it is that node's figures.
 */
public final class ClusterMetrics {

    private final List<ServerMetrics> nodes;

    public ClusterMetrics(HttpClient http, Targets targets) {
        this.nodes = targets.nodes().stream().map(t -> new ServerMetrics(http, t.metrics())).toList();
    }

    /** Starts a scrape of every node that has none running. */
    public void scrape() {
        nodes.forEach(ServerMetrics::scrape);
    }

    /** Cores busy on all nodes together at their last scrapes, or -1 until every node has answered. */
    public double cpuCores() {
        return sum(ServerMetrics::cpuCores);
    }

    /** Media packets per second all relays forwarded, or -1 until every node has two scrapes. */
    public double forwardedPerSecond() {
        return sum(ServerMetrics::forwardedPerSecond);
    }

    private double sum(java.util.function.ToDoubleFunction<ServerMetrics> figure) {
        double total = 0;
        for (ServerMetrics n : nodes) {
            double v = figure.applyAsDouble(n);
            if (v < 0) {
                return -1;
            }
            total += v;
        }
        return total;
    }
}
