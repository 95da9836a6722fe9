package org.parley.loadtest.target;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Scrapes the target's /metrics once per interval, asynchronously so a slow server never stalls
 * the sampler: each call returns what the previous scrape found and starts a new one.
 *
 * <p>CPU: Micrometer's {@code process_cpu_usage} is the process's share of the whole machine
 * (0..1); times {@code system_cpu_count} it is cores busy. Forwarded media: the relay's
 * {@code parley_relay_packets_out_total} for kinds audio and video (RTCP left out), as a rate.
 */
public final class ServerMetrics {

    /** What one scrape found; NaN for what the server did not expose. */
    public record Reading(long nanos, double cpuCores, double forwardedPackets) {
    }

    private final HttpClient http;
    private final URI uri;
    private volatile Reading latest;
    private volatile double forwardedRate = -1;
    private volatile CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    private volatile String failure;

    public ServerMetrics(HttpClient http, URI uri) {
        this.http = http;
        this.uri = uri;
    }

    /** Starts a scrape unless one is still running. */
    public void scrape() {
        if (!inFlight.isDone()) {
            return;
        }
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
        inFlight = http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenAccept(resp -> {
            if (resp.statusCode() != 200) {
                failure = "GET " + uri + ": HTTP " + resp.statusCode();
                return;
            }
            Reading r = parse(System.nanoTime(), resp.body());
            Reading prev = latest;
            if (prev != null && !Double.isNaN(r.forwardedPackets()) && !Double.isNaN(prev.forwardedPackets())) {
                forwardedRate = (r.forwardedPackets() - prev.forwardedPackets()) / ((r.nanos() - prev.nanos()) / 1e9);
            }
            latest = r;
            failure = null;
        }).exceptionally(e -> {
            failure = "GET " + uri + ": " + e.getCause();
            return null;
        });
    }

    static Reading parse(long nanos, String body) {
        double usage = PrometheusText.sum(body, "process_cpu_usage", null);
        double cpus = PrometheusText.sum(body, "system_cpu_count", null);
        double audio = PrometheusText.sum(body, "parley_relay_packets_out_total", "kind=\"audio\"");
        double video = PrometheusText.sum(body, "parley_relay_packets_out_total", "kind=\"video\"");
        double forwarded = Double.isNaN(audio) && Double.isNaN(video) ? Double.NaN
                : (Double.isNaN(audio) ? 0 : audio) + (Double.isNaN(video) ? 0 : video);
        return new Reading(nanos, usage * cpus, forwarded);
    }

    /** Cores the server process kept busy at the last scrape, or -1. */
    public double cpuCores() {
        Reading r = latest;
        return r == null || Double.isNaN(r.cpuCores()) ? -1 : r.cpuCores();
    }

    /** Forwarded media packets per second between the last two scrapes, or -1. */
    public double forwardedPerSecond() {
        return forwardedRate;
    }

    /** Why the last scrape failed, or null. */
    public String failure() {
        return failure;
    }
}
