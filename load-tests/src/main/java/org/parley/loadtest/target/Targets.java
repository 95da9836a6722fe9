package org.parley.loadtest.target;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The servers a run talks to: one {@code --url}, or several nodes of a cluster. Devices are spread
 * over them in turn, so with three nodes the first, fourth, seventh device use the first node and
 * two devices that follow each other (a caller and its callee in the {@code calls} scenario) sit on
 * different nodes: what a load balancer in front of a cluster would do, made deterministic.
 */
public final class Targets {

    private final List<Target> nodes;
    private final AtomicLong turn = new AtomicLong();

    private Targets(List<Target> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** From the {@code --url} values, each also allowed to hold a comma-separated list. */
    public static Targets of(List<String> urls) {
        List<Target> nodes = urls.stream().flatMap(u -> java.util.Arrays.stream(u.split(",")))
                .map(String::trim).filter(u -> !u.isEmpty()).map(Target::of).toList();
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("--url is required");
        }
        if (nodes.stream().map(Target::signaling).distinct().count() != nodes.size()) {
            throw new IllegalArgumentException("--url: the same node given twice");
        }
        return new Targets(nodes);
    }

    /** The node the next device connects to (round robin). */
    public Target next() {
        return nodes.get((int) Math.floorMod(turn.getAndIncrement(), (long) nodes.size()));
    }

    public List<Target> nodes() {
        return nodes;
    }

    /** The signaling URLs, comma-separated, for logs and reports. */
    @Override
    public String toString() {
        return nodes.stream().map(t -> t.signaling().toString()).collect(Collectors.joining(","));
    }
}
