package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

/**
 * A private address on this network namespace's loopback interface, for relays whose ICE-TCP
 * listener must bind something other than loopback (ice4j refuses loopback addresses). Its local
 * route tells the kernel to pick 127.0.0.1 as the source towards it, as a remote client's own
 * address would be (see ChromiumIceTcpTest for why Chromium needs that). Needs the test JVM to be
 * root in its own namespace (tools/loopback-netns/bin/java); removed again on close, so that later
 * tests in the same JVM (wildcard binds) see a loopback-only host.
 */
public final class LoopbackAlias implements AutoCloseable {

    private final String address;

    private LoopbackAlias(String address) {
        this.address = address;
    }

    public static LoopbackAlias add(String address) throws IOException, InterruptedException {
        ip(true, "addr", "add", address + "/32", "dev", "lo");
        LoopbackAlias added = new LoopbackAlias(address);
        try {
            ip(true, "route", "change", "local", address, "dev", "lo", "table", "local", "proto", "kernel",
                    "scope", "host", "src", "127.0.0.1");
        } catch (IOException | InterruptedException | AssertionError e) {
            added.close();
            throw e;
        }
        return added;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        ip(false, "route", "del", "local", address, "dev", "lo", "table", "local");
        ip(false, "addr", "del", address + "/32", "dev", "lo");
        String left = ip(true, "addr", "show", "dev", "lo");
        assertTrue(!left.contains(address + "/"), "the private address is still on lo:\n" + left);
    }

    /** Runs iproute2's ip in this JVM's network namespace; fails the test if it must and cannot. */
    private static String ip(boolean mustSucceed, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0 && mustSucceed) {
            throw new AssertionError("ip " + String.join(" ", args) + " failed (" + rc + "): " + out
                    + " — the test JVM must run as root in its own network namespace"
                    + " (tools/loopback-netns/bin/java)");
        }
        return out;
    }
}
