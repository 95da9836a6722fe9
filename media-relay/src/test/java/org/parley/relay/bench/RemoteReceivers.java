package org.parley.relay.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes the receivers of a loopback benchmark look remote to the relay: an nftables rule on the
 * loopback device's egress hook counts and drops the relay's RTP before it is delivered.
 *
 * <p>Why: on loopback the kernel delivers a datagram into the receiving socket and wakes the
 * receiving thread inside the sender's {@code sendto}, so the relay is charged for each
 * receiver's kernel work and wake-up (about half of its CPU at 1 -> 50 on this VM, see
 * docs/benchmarks.md). A relay whose receivers are on other machines pays the send path down to
 * the device, not that. The egress hook sits where a network card's driver would take the
 * packet, after the relay's system call, routing and queueing; what the card's driver costs
 * on top is left out.
 *
 * <p>Only the relay's media RTP (video payload type 96 and audio 111, as the Java clients
 * negotiate them; the RTP header is not encrypted by SRTP, RFC 3711 section 3.1) from its own
 * address is dropped: ICE consent (STUN), DTLS, RTCP, retransmissions (payload type 97) and
 * everything the clients send still flow, so sessions stay up. The counters say how many copies
 * left the relay. The benchmark must run in a network namespace of its own
 * (root there), as docs/benchmarks.md shows; the rule dies with the namespace.
 */
final class RemoteReceivers implements AutoCloseable {

    /** The relay binds here so that its packets are told from the clients' (127.0.0.1). */
    static final String RELAY_ADDRESS = "127.0.0.2";
    private static final int VIDEO_PT = 96;
    private static final int AUDIO_PT = 111;
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+)");

    private RemoteReceivers() {
    }

    /** Installs the rule; fails if nftables or the egress hook is missing. */
    static RemoteReceivers install() throws IOException, InterruptedException {
        nft("add", "table", "netdev", "parley_bench");
        nft("add", "chain", "netdev", "parley_bench", "out", "{ type filter hook egress device lo priority 0; }");
        // @th,72,8: the second byte of the UDP payload (8 bytes of UDP header = 64 bits, then
        // RTP's first byte), which is the marker bit and the payload type (RFC 3550 section 5.1).
        for (int pt : new int[] {VIDEO_PT, AUDIO_PT}) {
            nft("add", "rule", "netdev", "parley_bench", "out", "ip", "saddr", RELAY_ADDRESS, "meta", "l4proto", "udp",
                    "@th,72,8", "&", "0x7f", "==", Integer.toString(pt), "counter", "drop");
        }
        return new RemoteReceivers();
    }

    /** Media packets (audio and video) the relay has sent its receivers so far. */
    long sent() throws IOException, InterruptedException {
        Matcher m = COUNTER.matcher(nft("list", "table", "netdev", "parley_bench"));
        long sum = 0;
        int rules = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
            rules++;
        }
        if (rules != 2) {
            throw new IllegalStateException("expected 2 counters in the nftables table, found " + rules);
        }
        return sum;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        nft("delete", "table", "netdev", "parley_bench");
    }

    private static String nft(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out
                    + " (run the benchmark as root in its own network namespace: unshare --net)");
        }
        return out;
    }
}
