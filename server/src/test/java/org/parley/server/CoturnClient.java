package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * coturn's own TURN client ({@code turnutils_uclient}) and echo peer ({@code turnutils_peer}) run
 * against the server process: a TURN client written apart from Parley. A missing tool fails the
 * test; see docs/turn.md and the Debian package coturn.
 */
final class CoturnClient {
    private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    private static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");

    /** One run: exit status, output, and how many messages came back through the server. */
    record Run(int exitCode, String output, long received) {
    }

    private CoturnClient() {
    }

    /**
     * Relays 10 messages over UDP from 127.0.0.1:{@code turnPort} to an echo peer on
     * {@code peerIp}; {@code credentials} are uclient's ({@code -W secret -u user} or
     * {@code -u name -w password}).
     */
    static Run echo(Path dir, int turnPort, String peerIp, String... credentials) throws Exception {
        return echo(dir, List.of(), "127.0.0.1", turnPort, peerIp, credentials);
    }

    /**
     * As {@link #echo(Path, int, String, String...)} with the TURN server at {@code serverIp}, both
     * tools started through {@code prefix} (e.g. nsenter into the server's network namespace) and
     * uclient verbose, so that its output names the relayed address it received.
     */
    static Run echo(Path dir, List<String> prefix, String serverIp, int turnPort, String peerIp, String... credentials)
            throws Exception {
        assertTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                "coturn's tools are missing: apt-get install coturn");
        int peerPort = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        List<String> peerCommand = new ArrayList<>(prefix);
        peerCommand.addAll(List.of(PEER.toString(), "-L", peerIp, "-p", Integer.toString(peerPort)));
        Process peer = new ProcessBuilder(peerCommand)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path out = Files.createTempFile(dir, "uclient", ".log");
            List<String> command = new ArrayList<>(prefix);
            command.addAll(List.of(UCLIENT.toString(), "-c", "-v"));
            command.addAll(List.of(credentials));
            command.addAll(List.of("-e", peerIp, "-r", Integer.toString(peerPort), "-n", "10", "-m", "1",
                    "-l", "100", "-p", Integer.toString(turnPort), serverIp));
            Process client = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!client.waitFor(60, TimeUnit.SECONDS)) {
                client.destroyForcibly().waitFor();
            }
            String output = Files.readString(out);
            Matcher m = TOTALS.matcher(output);
            long received = 0;
            while (m.find()) {
                received = Long.parseLong(m.group(2));
            }
            return new Run(client.exitValue(), output, received);
        } finally {
            peer.destroy();
            peer.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
