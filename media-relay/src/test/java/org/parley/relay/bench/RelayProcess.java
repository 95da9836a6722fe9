package org.parley.relay.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.parley.relay.api.RemoteRelayControl;
import org.parley.relay.control.RelayControl;

/**
 * {@link RelayBenchServer} as a child JVM with this JVM's classpath, so that the relay's CPU is
 * its own process's: its control API, the start of the measured window, and its report.
 * {@code -Dbench.relay-jvm-options="..."} passes options to the child (a profiler, JFR).
 */
final class RelayProcess implements AutoCloseable {

    private final Process process;
    private final LinkedBlockingQueue<String> lines;
    private final PrintWriter in;
    private final RemoteRelayControl control;

    private RelayProcess(Process process, LinkedBlockingQueue<String> lines, PrintWriter in,
            RemoteRelayControl control) {
        this.process = process;
        this.lines = lines;
        this.in = in;
        this.control = control;
    }

    /**
     * Starts the relay and waits for its control API.
     *
     * @param remoteReceivers binds the relay to {@link RemoteReceivers#RELAY_ADDRESS}
     * @param properties more {@code -D} options for the relay's JVM
     */
    static RelayProcess start(boolean remoteReceivers, String... properties) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        String options = System.getProperty("bench.relay-jvm-options", "").trim();
        if (!options.isEmpty()) {
            command.addAll(Arrays.asList(options.split("\\s+")));
        }
        if (remoteReceivers) {
            command.add("-D" + RelayBenchServer.ADDRESS_PROPERTY + "=" + RemoteReceivers.RELAY_ADDRESS);
        }
        command.addAll(Arrays.asList(properties));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RelayBenchServer.class.getName()));
        Process relay = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Drain the child's output all the time (its logging would otherwise fill the pipe and
        // stall the relay); keep only the protocol lines.
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("relay") || line.equals("marked")) {
                        lines.add(line);
                    }
                }
            } catch (java.io.IOException e) {
                // the child ended
            }
        }, "relay-process-output");
        drain.setDaemon(true);
        drain.start();
        PrintWriter in = new PrintWriter(relay.getOutputStream(), true, StandardCharsets.UTF_8);
        try {
            String first = lines.poll(60, TimeUnit.SECONDS);
            if (first == null || !first.startsWith("relay-api ")) {
                throw new IllegalStateException("the relay process did not start: " + first);
            }
            URI base = URI.create(first.substring("relay-api ".length()));
            return new RelayProcess(relay, lines, in, new RemoteRelayControl(base, RelayBenchServer.SECRET));
        } catch (Exception | Error e) {
            in.close();
            relay.destroy();
            throw e;
        }
    }

    RelayControl control() {
        return control;
    }

    /** Starts the relay's measured window (CPU, dwell, GC counted from here). */
    void mark() {
        in.println("mark");
        try {
            String line;
            while ((line = lines.poll(30, TimeUnit.SECONDS)) != null && !line.equals("marked")) {
                // nothing else is expected here
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints the relay's report of the window and returns its process CPU over it, in nanoseconds. */
    long report() throws InterruptedException {
        in.println("report");
        long cpu = -1;
        String line;
        while ((line = lines.poll(30, TimeUnit.SECONDS)) != null && !line.equals("relay end-report")) {
            if (line.startsWith("relay cpu-nanos ")) {
                cpu = Long.parseLong(line.substring("relay cpu-nanos ".length()));
            } else {
                System.out.println(line);
            }
        }
        if (cpu < 0) {
            throw new IllegalStateException("the relay process reported no CPU time");
        }
        return cpu;
    }

    @Override
    public void close() {
        control.close();
        in.close();
        process.destroy();
    }
}
