package org.parley.relay.bwe;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * {@code parley.relay.bwe}: the bounds of every receiver's downlink estimate.
 *
 * @param initialBps the estimate before any feedback ({@code initial-bitrate})
 * @param minBps the estimate never goes below ({@code min-bitrate})
 * @param maxBps nor above ({@code max-bitrate})
 */
public record BweSettings(long initialBps, long minBps, long maxBps) {

    /** The reference.conf defaults; see there for the reasons. */
    public static final BweSettings DEFAULTS = new BweSettings(1_000_000, 100_000, 50_000_000);

    public BweSettings {
        if (minBps <= 0 || minBps > initialBps || initialBps > maxBps) {
            throw new IllegalArgumentException("parley.relay.bwe: need 0 < min-bitrate <= initial-bitrate"
                    + " <= max-bitrate, got " + minBps + ", " + initialBps + ", " + maxBps);
        }
    }

    /** Reads and validates {@code parley.relay.bwe} (bit/s); errors name the key. */
    public static BweSettings from(Config relay) {
        Config c = relay.getConfig("bwe");
        long initial = positive(c, "initial-bitrate");
        long min = positive(c, "min-bitrate");
        long max = positive(c, "max-bitrate");
        if (min > initial) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.bwe.min-bitrate",
                    "must not exceed parley.relay.bwe.initial-bitrate (" + initial + "), got " + min);
        }
        if (initial > max) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.bwe.initial-bitrate",
                    "must not exceed parley.relay.bwe.max-bitrate (" + max + "), got " + initial);
        }
        return new BweSettings(initial, min, max);
    }

    private static long positive(Config c, String key) {
        long v = c.getLong(key);
        if (v <= 0) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay.bwe." + key,
                    "must be a positive number of bits per second, got " + v);
        }
        return v;
    }
}
