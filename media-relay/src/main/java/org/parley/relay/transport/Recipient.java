package org.parley.relay.transport;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.parley.netio.NativeDatagramBatch;

/**
 * Where a peer's datagrams go from the shared UDP port, prepared once per selected pair so that
 * a send neither looks the address up nor copies it into a new array.
 *
 * @param address the peer's address and port
 * @param address16 its 16 address bytes for a native batch ({@link NativeDatagramBatch#addressBytes})
 * @param scopeId its IPv6 scope, 0 for none
 */
public record Recipient(InetSocketAddress address, byte[] address16, int scopeId) {

    public static Recipient of(InetSocketAddress address) {
        int scope = address.getAddress() instanceof Inet6Address v6 ? v6.getScopeId() : 0;
        return new Recipient(address, NativeDatagramBatch.addressBytes(address.getAddress()), scope);
    }

    public int port() {
        return address.getPort();
    }
}
