package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs coturn's own tools (Debian package {@code coturn}) as processes. A missing tool fails the
 * test: the interop proof must not silently vanish.
 */
final class CoturnTools {
    static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    static final Path STUNCLIENT = Path.of("/usr/bin/turnutils_stunclient");

    private CoturnTools() {
    }

    static void requireTools() {
        for (Path tool : List.of(UCLIENT, PEER, STUNCLIENT)) {
            if (!Files.isExecutable(tool)) {
                fail(tool + " is missing: install the Debian package coturn (apt-get install coturn)");
            }
        }
    }

    /** The result of one tool run. */
    record Run(int exitCode, String output) {
        private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\s*$",
                Pattern.MULTILINE);
        private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
        private static final Pattern RTT = Pattern.compile("Average round trip delay ([0-9.]+) ms");

        long sent() {
            return group(TOTALS, 1);
        }

        long received() {
            return group(TOTALS, 2);
        }

        long lost() {
            return group(LOST, 1);
        }

        double averageRoundTripMillis() {
            Matcher m = RTT.matcher(output);
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        }

        private long group(Pattern p, int g) {
            Matcher m = p.matcher(output);
            long value = -1;
            while (m.find()) {
                value = Long.parseLong(m.group(g));
            }
            return value;
        }

        /**
         * uclient exits 0 even when everything was lost: success is read from its totals. It sends a
         * few messages more than clients x messages, so the count is a lower bound.
         */
        void assertNothingLost(long atLeast) {
            assertTrue(exitCode == 0, "exit " + exitCode + "\n" + tail());
            assertTrue(sent() >= atLeast && received() == sent() && lost() == 0,
                    "sent " + sent() + ", received " + received() + ", lost " + lost() + "\n" + tail());
        }

        String tail() {
            String[] lines = output.split("\n");
            return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length));
        }
    }

    static Run run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("coturn-tool", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail(command + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static List<String> uclient(int serverPort, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(UCLIENT.toString());
        cmd.addAll(List.of(args));
        cmd.add("-p");
        cmd.add(Integer.toString(serverPort));
        cmd.add("127.0.0.1");
        return cmd;
    }

    /** An echo peer ({@code turnutils_peer}) on two consecutive free UDP ports (RTP and RTCP). */
    static final class EchoPeer implements AutoCloseable {
        final int port;
        private final Process process;

        EchoPeer() throws IOException, InterruptedException {
            this.port = freeUdpPortPair();
            this.process = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Thread.sleep(300);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static int freeUdpPortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int p = a.getLocalPort();
                if ((p & 1) != 0 || p > 65000) {
                    continue;
                }
                try (DatagramSocket b = new DatagramSocket(p + 1, InetAddress.getLoopbackAddress())) {
                    return p;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free UDP port pair on loopback");
    }
}
