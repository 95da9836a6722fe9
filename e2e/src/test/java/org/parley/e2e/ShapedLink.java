package org.parley.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A receiver's own network: a network namespace linked to the test JVM's (where the server and
 * the relay run) by a veth pair with private addresses 10.77.N.1 (relay side) and 10.77.N.2
 * (receiver side), and a tc queue on the relay side's egress, i.e. the receiver's downlink. The
 * receiver namespace has no other link, and the test JVM's own namespace has only loopback and
 * these links (tools/loopback-netns), so nothing can leave the machine.
 *
 * <p>What this kernel offers decides the shaping: {@code htb} with a {@code u32} filter caps the
 * UDP rate (its short queue adds the delay a real bottleneck adds) and leaves TCP alone. Random loss would be {@code netem}'s job, which this machine's
 * kernel lacks; nftables' {@code numgen random} drops a share of the receiver's incoming UDP
 * instead ({@link #loss}; docs/e2e.md, "Shaped networks").
 *
 * <p>Needs root in the test JVM's namespace, iproute2's {@code ip} and {@code tc} and nftables'
 * {@code nft}; fails, never skips, without them.
 */
final class ShapedLink implements AutoCloseable {

    /** Interface names start with this; Browser.launch accepts these links besides loopback. */
    static final String PREFIX = "pshp";

    /** The nftables table {@link #loss} keeps its rule in, inside the receiver's namespace. */
    private static final String LOSS_TABLE = "parley_loss";
    /** A full Ethernet frame: the least a bucket or queue must hold to pass any packet at all. */
    private static final long FULL_PACKET_BYTES = 1_514;
    static final long BURST_MILLIS = 20;
    static final long QUEUE_MILLIS = 100;
    /** The default (TCP) class's rate: far above anything a test sends, i.e. not shaped. */
    private static final String UNSHAPED_RATE = "10gbit";

    private final int index;
    private final String namespace;
    private final String relaySide;
    private final List<Path> wrappers = new ArrayList<>();
    /** Whether {@link #cap} has put its htb root on the link (and {@link #uncap} not removed it). */
    private boolean capped;

    private ShapedLink(int index) {
        this.index = index;
        this.namespace = "parley-rx-" + ProcessHandle.current().pid() + "-" + index;
        this.relaySide = PREFIX + index + "r";
    }

    /** Creates namespace and link {@code index} (1..250), unshaped. */
    static ShapedLink create(int index) throws IOException, InterruptedException {
        if (index < 1 || index > 250) {
            throw new IllegalArgumentException("link index must be 1..250, was " + index);
        }
        ShapedLink link = new ShapedLink(index);
        try {
            String receiverSide = PREFIX + index + "x";
            run("ip", "netns", "add", link.namespace);
            run("ip", "link", "add", link.relaySide, "type", "veth", "peer", "name", receiverSide, "netns",
                    link.namespace);
            run("ip", "addr", "add", link.relayAddress() + "/30", "dev", link.relaySide);
            run("ip", "link", "set", link.relaySide, "up");
            link.inside("ip", "link", "set", "lo", "up");
            link.inside("ip", "addr", "add", link.receiverAddress() + "/30", "dev", receiverSide);
            link.inside("ip", "link", "set", receiverSide, "up");
            return link;
        } catch (IOException | InterruptedException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** The relay side's address: what the receiver reaches the server and the relay at. */
    String relayAddress() {
        return "10.77." + index + ".1";
    }

    String receiverAddress() {
        return "10.77." + index + ".2";
    }

    /**
     * Caps the UDP reaching the receiver (media, RTCP, STUN, DTLS: its WebRTC downlink) at
     * {@code bitsPerSecond}; TCP (WebDriver, the page's HTTP and WebSocket) stays unshaped, so the
     * test's control of the browser never depends on the cap. Can change mid-test.
     *
     * <p>An {@code htb} root on the relay side's egress: UDP (a {@code u32} match on IPv4 protocol
     * 17) goes to a class at the rate, everything else to the default class at veth speed. The
     * capped class may burst {@value #BURST_MILLIS} ms at the rate (at least two full packets) and
     * queues at most {@value #QUEUE_MILLIS} ms of it (a {@code bfifo}, at least two full packets),
     * then drops, as a congested access link with a short buffer: a queue of seconds would delay
     * audio with video by that much before the relay could react, which no real browser
     * downlink does.
     */
    void cap(long bitsPerSecond) throws IOException, InterruptedException {
        if (bitsPerSecond < 8_000) {
            throw new IllegalArgumentException("a cap below 8 kbit/s leaves nothing to measure: " + bitsPerSecond);
        }
        long burstBytes = Math.max(2 * FULL_PACKET_BYTES, bitsPerSecond / 8 * BURST_MILLIS / 1000);
        long queueBytes = Math.max(2 * FULL_PACKET_BYTES, bitsPerSecond / 8 * QUEUE_MILLIS / 1000);
        if (!capped) {
            run("tc", "qdisc", "replace", "dev", relaySide, "root", "handle", "1:", "htb", "default", "2");
            run("tc", "class", "add", "dev", relaySide, "parent", "1:", "classid", "1:2", "htb", "rate",
                    UNSHAPED_RATE, "quantum", "65536");
            run("tc", "filter", "add", "dev", relaySide, "parent", "1:", "protocol", "ip", "prio", "1", "u32",
                    "match", "ip", "protocol", "17", "0xff", "flowid", "1:1");
        }
        run("tc", "class", "replace", "dev", relaySide, "parent", "1:", "classid", "1:1", "htb", "rate",
                bitsPerSecond + "bit", "burst", String.valueOf(burstBytes), "cburst", String.valueOf(burstBytes));
        run("tc", "qdisc", "replace", "dev", relaySide, "parent", "1:1", "handle", "10:", "bfifo", "limit",
                String.valueOf(queueBytes));
        capped = true;
    }

    /** Lifts any cap: the link runs at veth speed again (a plain FIFO). */
    void uncap() throws IOException, InterruptedException {
        run("tc", "qdisc", "replace", "dev", relaySide, "root", "pfifo", "limit", "1000");
        capped = false;
    }

    /**
     * What the cap's UDP queue did so far ({@code tc -s qdisc} of its {@code bfifo}): packets
     * sent and dropped, bytes waiting; all 0 without a cap.
     */
    String capQueueStats() throws IOException, InterruptedException {
        if (!capped) {
            return "uncapped";
        }
        Matcher m = Pattern.compile("qdisc bfifo 10:.*?Sent (\\d+) bytes (\\d+) pkt \\(dropped (\\d+).*?backlog (\\S+) (\\d+)p",
                Pattern.DOTALL).matcher(run("tc", "-s", "qdisc", "show", "dev", relaySide));
        return m.find() ? "sent " + m.group(2) + " pkt, dropped " + m.group(3) + ", backlog " + m.group(4) + " "
                + m.group(5) + "p" : "no cap queue";
    }

    /**
     * Drops {@code percent} % of the UDP packets reaching the receiver, each independently at
     * random (nftables {@code numgen random mod 100} on the input hook of the receiver's
     * namespace, counted): media, RTCP, STUN and DTLS alike, as on a lossy Wi-Fi hop. Replaces
     * the loss set before, so it can change or end ({@link #noLoss}) mid-test; independent of
     * {@link #cap}.
     */
    void loss(int percent) throws IOException, InterruptedException {
        if (percent < 1 || percent > 99) {
            throw new IllegalArgumentException("loss must be 1..99 %, was " + percent);
        }
        inside("nft", "add table inet " + LOSS_TABLE + "; flush table inet " + LOSS_TABLE + "; add chain inet "
                + LOSS_TABLE + " input { type filter hook input priority 0; policy accept; }; add rule inet "
                + LOSS_TABLE + " input meta l4proto udp numgen random mod 100 < " + percent + " counter drop");
    }

    /**
     * Routes this namespace to {@code other}'s relay-side address (where a test binds the relay)
     * across this link, so a sender can sit in a namespace of its own. A sender left in the test
     * JVM's namespace has two addresses the relay answers on (loopback and the link's relay side)
     * and Chromium may move its media between the two pairs mid-call, which the relay, its ICE
     * done, does not follow.
     */
    void reach(ShapedLink other) throws IOException, InterruptedException {
        inside("ip", "route", "add", other.relayAddress() + "/32", "via", relayAddress());
    }

    /** Ends any {@link #loss}: every packet reaches the receiver again. */
    void noLoss() throws IOException, InterruptedException {
        inside("nft", "add table inet " + LOSS_TABLE + "; delete table inet " + LOSS_TABLE);
    }

    /** UDP packets {@link #loss} dropped so far (the rule's counter; 0 without loss set). */
    long lossDropped() throws IOException, InterruptedException {
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(inside("nft", "list ruleset"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /**
     * A script that runs {@code binary} inside the receiver's namespace with the arguments it is
     * given (for ChromeDriver, whose Chromium then inherits the namespace).
     */
    Path wrapper(Path dir, String binary) throws IOException {
        Path script = dir.resolve("in-" + namespace + "-" + Path.of(binary).getFileName());
        Files.writeString(script, "#!/bin/sh\nexec ip netns exec " + namespace + " " + binary + " \"$@\"\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        wrappers.add(script);
        return script;
    }

    private String inside(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " cannot run (" + e.getMessage()
                    + "): shaped-network tests need iproute2 (ip, tc), nftables (nft) and root", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no exit within 30 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output.strip()
                    + "\nshaped-network tests need root in the test JVM's namespace, iproute2, the htb and bfifo qdiscs, the u32 filter and nftables");
        }
        return output;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // Deleting the namespace deletes its end of the pair, and with it the relay's end.
        Process p = new ProcessBuilder("ip", "netns", "del", namespace).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        for (Path w : wrappers) {
            Files.deleteIfExists(w);
        }
    }
}
