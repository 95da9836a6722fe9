package org.parley.turn;

import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An inclusive range of IP addresses of one family, written as a single address, CIDR
 * ({@code 10.0.0.0/8}) or coturn's {@code first-last} form.
 */
public final class AddressRange {
    private final byte[] first;
    private final byte[] last;

    private AddressRange(byte[] first, byte[] last) {
        this.first = first;
        this.last = last;
    }

    public static AddressRange parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        int dash = s.indexOf('-');
        if (slash > 0) {
            byte[] base = literal(s.substring(0, slash), text);
            int prefix;
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            if (prefix < 0 || prefix > base.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            byte[] lo = base.clone();
            byte[] hi = base.clone();
            for (int bit = prefix; bit < base.length * 8; bit++) {
                lo[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
                hi[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
            return new AddressRange(lo, hi);
        }
        if (dash > 0) {
            byte[] lo = literal(s.substring(0, dash), text);
            byte[] hi = literal(s.substring(dash + 1), text);
            if (lo.length != hi.length || compare(lo, hi) > 0) {
                throw new IllegalArgumentException("range ends differ in family or are reversed: " + text);
            }
            return new AddressRange(lo, hi);
        }
        byte[] one = literal(s, text);
        return new AddressRange(one, one);
    }

    private static byte[] literal(String s, String whole) {
        byte[] b = NetUtil.createByteArrayFromIpAddressString(s.trim());
        if (b == null) {
            throw new IllegalArgumentException("not an IP address, CIDR or range: " + whole);
        }
        return b;
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    boolean contains(byte[] raw) {
        return raw.length == first.length && compare(first, raw) <= 0 && compare(raw, last) <= 0;
    }

    private static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    @Override
    public String toString() {
        return new BigInteger(1, first).toString(16) + "-" + new BigInteger(1, last).toString(16);
    }
}
