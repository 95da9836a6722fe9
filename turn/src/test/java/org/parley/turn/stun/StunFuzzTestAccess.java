package org.parley.turn.stun;

import java.util.Random;

/** Lets fuzz tests in other packages reuse the parser fuzz test's mutations. */
public final class StunFuzzTestAccess {
    private StunFuzzTestAccess() {
    }

    public static byte[] mutate(byte[] seed, Random random) {
        return StunFuzzTest.mutate(seed, random);
    }
}
