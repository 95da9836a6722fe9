package org.parley.cluster.relay;

/**
 * How busy a relay is, as it registers it.
 *
 * @param endpoints devices connected to it (each a publisher and a subscriber connection)
 * @param packetsPerSecond packets in and out per second over the last refresh interval
 * @param cpu the relay process's share of the machine's CPU, 0 to 1 (negative: unknown)
 */
public record RelayLoad(int endpoints, long packetsPerSecond, double cpu) {

    public static final RelayLoad IDLE = new RelayLoad(0, 0, 0);
}
