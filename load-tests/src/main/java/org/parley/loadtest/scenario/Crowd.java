package org.parley.loadtest.scenario;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The devices a scenario has signed in, so that stopping can take them all out, bounded in time. */
final class Crowd {

    private final List<SimulatedDevice> devices = new CopyOnWriteArrayList<>();

    void add(SimulatedDevice d) {
        devices.add(d);
    }

    int size() {
        return devices.size();
    }

    /** {@code bye} for everyone, waiting up to {@code seconds}; whoever is still open is aborted. */
    void leaveAll(int seconds) {
        CompletableFuture<?>[] all = devices.stream().map(SimulatedDevice::leave).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            // Fall through: abort what is left.
        }
        devices.forEach(SimulatedDevice::abort);
    }
}
