package org.parley.netio;

import io.netty.buffer.ByteBuf;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Up to {@link #SIZE} datagrams moved by one {@code recvmmsg} or {@code sendmmsg} system call, through
 * Netty's native epoll library.
 *
 * <p>Why: on a virtual machine a system call is expensive (about 1 µs for an empty one on the
 * benchmark machine, docs/benchmarks.md, TURN), and a TURN server's UDP listening socket sees
 * bursts: clients' media arrives together and the peers' answers to them leave together. One call
 * per burst instead of one per datagram is the largest saving left on the relay path. Netty calls
 * these two system calls only from its datagram channel, whose per-packet pipeline costs more than
 * the calls saved, and keeps the packet array ({@code NativeDatagramPacketArray}) package-private; it
 * is reached here with private method handles, which the JIT inlines like direct calls. When that
 * access fails (another Netty version, a module boundary) {@link #AVAILABLE} is false and callers
 * keep their one-datagram-per-call path. A batch is used either to receive or to send, never both.
 * Confined to one thread. Used by the TURN server's listener and relay sockets and by the media
 * relay's fan-out (one module for both, so the private access lives in one place).
 */
public final class NativeDatagramBatch {
    private static final Logger LOG = LoggerFactory.getLogger(NativeDatagramBatch.class);

    /** Datagrams per system call: bursts on the listener seldom pass this (docs/benchmarks.md). */
    public static final int SIZE = 16;
    /** Whether Netty's packet array could be reached; false means one datagram per system call. */
    public static final boolean AVAILABLE;

    private static final MethodHandle NEW_ARRAY;
    private static final MethodHandle ADD_WRITABLE;
    private static final MethodHandle ADD;
    private static final MethodHandle CLEAR;
    private static final MethodHandle PACKETS;
    private static final MethodHandle RELEASE;
    private static final MethodHandle RECVMMSG;
    /** Netty's {@code recvmsg} into one packet, or null when this Netty has none. */
    private static final MethodHandle RECVMSG;
    private static final MethodHandle SENDMMSG;
    private static final VarHandle COUNT;
    private static final VarHandle SENDER_ADDR;
    private static final VarHandle SENDER_ADDR_LEN;
    private static final VarHandle SENDER_PORT;
    private static final VarHandle SENDER_SCOPE_ID;
    private static final VarHandle RECIPIENT_ADDR;
    private static final VarHandle RECIPIENT_ADDR_LEN;
    private static final VarHandle RECIPIENT_PORT;
    private static final VarHandle RECIPIENT_SCOPE_ID;

    static {
        MethodHandle newArray = null;
        MethodHandle addWritable = null;
        MethodHandle add = null;
        MethodHandle clear = null;
        MethodHandle packets = null;
        MethodHandle release = null;
        MethodHandle recvmmsg = null;
        MethodHandle recvmsg = null;
        MethodHandle sendmmsg = null;
        VarHandle count = null;
        VarHandle senderAddr = null;
        VarHandle senderAddrLen = null;
        VarHandle senderPort = null;
        VarHandle senderScopeId = null;
        VarHandle recipientAddr = null;
        VarHandle recipientAddrLen = null;
        VarHandle recipientPort = null;
        VarHandle recipientScopeId = null;
        boolean available = false;
        try {
            if (Epoll.isAvailable()) {
                Class<?> array = Class.forName("io.netty.channel.epoll.NativeDatagramPacketArray");
                Class<?> packet = Class.forName("io.netty.channel.epoll.NativeDatagramPacketArray$NativeDatagramPacket");
                Class<?> nativeClass = Class.forName("io.netty.channel.epoll.Native");
                Class<?> packetsType = packet.arrayType();
                MethodHandles.Lookup inArray = MethodHandles.privateLookupIn(array, MethodHandles.lookup());
                MethodHandles.Lookup inPacket = MethodHandles.privateLookupIn(packet, MethodHandles.lookup());
                MethodHandles.Lookup inNative = MethodHandles.privateLookupIn(nativeClass, MethodHandles.lookup());
                newArray = inArray.findConstructor(array, MethodType.methodType(void.class)).asType(
                        MethodType.methodType(Object.class));
                addWritable = erase(inArray.findVirtual(array, "addWritable",
                        MethodType.methodType(boolean.class, ByteBuf.class, int.class, int.class)));
                add = erase(inArray.findVirtual(array, "add0", MethodType.methodType(boolean.class, ByteBuf.class,
                        int.class, int.class, int.class, InetSocketAddress.class)));
                clear = erase(inArray.findVirtual(array, "clear", MethodType.methodType(void.class)));
                packets = erase(inArray.findVirtual(array, "packets", MethodType.methodType(packetsType)));
                release = erase(inArray.findVirtual(array, "release", MethodType.methodType(void.class)));
                MethodType mmsg = MethodType.methodType(int.class, int.class, boolean.class, packetsType, int.class,
                        int.class);
                recvmmsg = erase(inNative.findStatic(nativeClass, "recvmmsg", mmsg));
                sendmmsg = erase(inNative.findStatic(nativeClass, "sendmmsg", mmsg));
                recvmsg = optional(inNative, nativeClass, "recvmsg",
                        MethodType.methodType(int.class, int.class, boolean.class, packet));
                count = inPacket.findVarHandle(packet, "count", int.class);
                senderAddr = inPacket.findVarHandle(packet, "senderAddr", byte[].class);
                senderAddrLen = inPacket.findVarHandle(packet, "senderAddrLen", int.class);
                senderPort = inPacket.findVarHandle(packet, "senderPort", int.class);
                senderScopeId = inPacket.findVarHandle(packet, "senderScopeId", int.class);
                recipientAddr = inPacket.findVarHandle(packet, "recipientAddr", byte[].class);
                recipientAddrLen = inPacket.findVarHandle(packet, "recipientAddrLen", int.class);
                recipientPort = inPacket.findVarHandle(packet, "recipientPort", int.class);
                recipientScopeId = inPacket.findVarHandle(packet, "recipientScopeId", int.class);
                available = true;
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("UDP batching (recvmmsg/sendmmsg) unavailable, one datagram per system call: {}", e.toString());
        }
        NEW_ARRAY = newArray;
        ADD_WRITABLE = addWritable;
        ADD = add;
        CLEAR = clear;
        PACKETS = packets;
        RELEASE = release;
        RECVMMSG = recvmmsg;
        RECVMSG = recvmsg;
        SENDMMSG = sendmmsg;
        COUNT = count;
        SENDER_ADDR = senderAddr;
        SENDER_ADDR_LEN = senderAddrLen;
        SENDER_PORT = senderPort;
        SENDER_SCOPE_ID = senderScopeId;
        RECIPIENT_ADDR = recipientAddr;
        RECIPIENT_ADDR_LEN = recipientAddrLen;
        RECIPIENT_PORT = recipientPort;
        RECIPIENT_SCOPE_ID = recipientScopeId;
        AVAILABLE = available;
    }

    /** Netty's packet array, its packets, and the buffer whose slots hold the datagrams' bytes. */
    private final Object array;
    private final Object[] packets;
    private final ByteBuf slots;
    private final int slotSize;
    /** Datagrams received by the last {@link #receive}, or queued for {@link #send}. */
    private int count;
    /** Each packet's iovec count once set up for receiving; null before the first receive. */
    private int[] iovecs;

    /** A batch whose datagrams are each up to {@code slotSize} bytes, in {@code slots} (direct, kept). */
    public NativeDatagramBatch(ByteBuf slots, int slotSize) {
        if (!AVAILABLE) {
            throw new IllegalStateException("Netty's recvmmsg/sendmmsg are not reachable");
        }
        if (slots.capacity() < SIZE * slotSize || !slots.hasMemoryAddress()) {
            throw new IllegalArgumentException("need a direct buffer of " + SIZE + " slots of " + slotSize + " bytes");
        }
        try {
            this.array = NEW_ARRAY.invokeExact();
            this.packets = (Object[]) PACKETS.invokeExact(array);
        } catch (Throwable e) {
            throw new IllegalStateException("Netty's packet array", e);
        }
        this.slots = slots;
        this.slotSize = slotSize;
    }

    /**
     * Reads up to {@link #SIZE} datagrams waiting on socket {@code fd} (of IPv6 family when {@code ipv6})
     * without blocking; returns how many, 0 when none or on an error (a pending socket error is read
     * and cleared by the call). Datagram i is at {@link #offset}(i), {@link #length}(i) bytes long.
     */
    public int receive(int fd, boolean ipv6) throws IOException {
        try {
            rearm();
            count = (int) RECVMMSG.invokeExact(fd, ipv6, (Object) packets, 0, SIZE);
            return count;
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads one datagram waiting on socket {@code fd} into slot 0 without blocking, with Netty's
     * {@code recvmsg}; returns 1, or 0 when none was waiting. Afterwards datagram 0 is read as after
     * {@link #receive}.
     *
     * <p>Why: Netty's {@code recvmmsg} asks the socket for its {@code UDP_GRO} option with a
     * {@code getsockopt} before every read, and fills in a header for each of the {@link #SIZE}
     * packets through JNI. On a socket that holds one datagram when it wakes up, as a relay socket
     * does under media from one peer, that doubles the system calls of a read
     * (docs/benchmarks.md, TURN, seventh session). Where this Netty has no {@code recvmsg} of one
     * packet it is the batch read.
     */
    public int receiveOne(int fd, boolean ipv6) throws IOException {
        if (RECVMSG == null) {
            return receive(fd, ipv6);
        }
        try {
            rearm();
            int bytes = (int) RECVMSG.invokeExact(fd, ipv6, packets[0]);
            // 0 is EAGAIN (or an empty datagram, which carries nothing to relay).
            count = bytes > 0 ? 1 : 0;
            return count;
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes the packets ready for a read: the last read overwrote each filled one's iovec count with its length. */
    private void rearm() throws Throwable {
        if (iovecs == null) {
            prepareReceive();
        } else {
            for (int i = 0; i < count; i++) {
                COUNT.set(packets[i], iovecs[i]);
            }
        }
        count = 0;
    }

    /**
     * Points every packet at its slot once: the iovecs stay valid between calls, so a read (often of
     * one datagram on a relay socket) does not rebuild sixteen of them.
     */
    private void prepareReceive() throws Throwable {
        CLEAR.invokeExact(array);
        int[] counts = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            boolean added = (boolean) ADD_WRITABLE.invokeExact(array, slots, i * slotSize, slotSize);
            if (!added) {
                throw new IllegalStateException("Netty's packet array took only " + i + " packets");
            }
            counts[i] = (int) COUNT.get(packets[i]);
        }
        iovecs = counts;
    }

    /** Where datagram {@code i} starts in {@link #slots()}. */
    public int offset(int i) {
        return i * slotSize;
    }

    /** The length of received datagram {@code i}. */
    public int length(int i) {
        return (int) COUNT.get(packets[i]);
    }

    /** The sender's port of received datagram {@code i}. */
    public int senderPort(int i) {
        return (int) SENDER_PORT.get(packets[i]);
    }

    /** The sender's address bytes of received datagram {@code i}: 4 (IPv4) or 16; not a copy. */
    public byte[] senderAddress(int i) {
        return (byte[]) SENDER_ADDR.get(packets[i]);
    }

    /** The sender's IPv6 scope of received datagram {@code i}, 0 for none. */
    public int senderScopeId(int i) {
        return (int) SENDER_SCOPE_ID.get(packets[i]);
    }

    /** The sender of received datagram {@code i} as a new address object; null when its bytes are no address. */
    public InetSocketAddress sender(int i) {
        int length = senderAddressLength(i);
        byte[] bytes = java.util.Arrays.copyOf(senderAddress(i), length);
        int scopeId = senderScopeId(i);
        try {
            // getByAddress gives an Inet4Address for an IPv4-mapped address, as Netty's recvfrom does.
            InetAddress ip = length == 16 && scopeId != 0
                    ? Inet6Address.getByAddress(null, bytes, scopeId) : InetAddress.getByAddress(bytes);
            return new InetSocketAddress(ip, senderPort(i));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** How many bytes of {@link #senderAddress} are the address. */
    public int senderAddressLength(int i) {
        return (int) SENDER_ADDR_LEN.get(packets[i]);
    }

    /** The buffer holding the datagrams. */
    public ByteBuf slots() {
        return slots;
    }

    /** Datagrams queued by {@link #queue}. */
    public int queued() {
        return count;
    }

    /**
     * The slot the next queued datagram's bytes go to, cleared; write at most the slot size into it
     * and then call {@link #queue}. Null when the batch is full.
     */
    public int nextSlot() {
        return count < SIZE ? count * slotSize : -1;
    }

    /** Queues the {@code length} bytes written at {@link #nextSlot()} for {@code recipient}. */
    public void queue(int length, InetSocketAddress recipient) {
        try {
            if (count == 0) {
                CLEAR.invokeExact(array);
            }
            boolean added = (boolean) ADD.invokeExact(array, slots, count * slotSize, length, 0, recipient);
            if (!added) {
                throw new IllegalStateException("Netty's packet array refused a datagram");
            }
            count++;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Queues the {@code length} bytes written at {@link #nextSlot()} for a recipient given as the 16
     * bytes of {@link #addressBytes}, its IPv6 scope (0 for none) and port: unlike
     * {@link #queue(int, InetSocketAddress)}, whose address Netty copies out of a new array per
     * datagram, this allocates nothing, for a caller that sends to the same peers again and again.
     */
    public void queue(int length, byte[] address16, int scopeId, int port) {
        try {
            if (count == 0) {
                CLEAR.invokeExact(array);
            }
            boolean added = (boolean) ADD.invokeExact(array, slots, count * slotSize, length, 0, (InetSocketAddress) null);
            if (!added) {
                throw new IllegalStateException("Netty's packet array refused a datagram");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        Object packet = packets[count];
        System.arraycopy(address16, 0, (byte[]) RECIPIENT_ADDR.get(packet), 0, 16);
        RECIPIENT_ADDR_LEN.set(packet, 16);
        RECIPIENT_SCOPE_ID.set(packet, scopeId);
        RECIPIENT_PORT.set(packet, port);
        count++;
    }

    /**
     * The 16 address bytes {@link #queue(int, byte[], int, int)} takes: an IPv6 address as it is, an
     * IPv4 address IPv4-mapped (RFC 4291 section 2.5.5.2), which is how Netty's native code tells them apart.
     */
    public static byte[] addressBytes(InetAddress address) {
        byte[] raw = address.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    /**
     * Sends the queued datagrams from socket {@code fd} and empties the batch; returns how many the
     * kernel took (the rest found the send buffer full).
     */
    public int send(int fd, boolean ipv6) throws IOException {
        int n = count;
        count = 0;
        int sent = 0;
        try {
            while (sent < n) {
                int now = (int) SENDMMSG.invokeExact(fd, ipv6, (Object) packets, sent, n - sent);
                if (now <= 0) {
                    break;
                }
                sent += now;
            }
            return sent;
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Forgets the queued datagrams without sending them. */
    public void discard() {
        count = 0;
    }

    /** Frees Netty's native iovec memory; the slots buffer stays the caller's. */
    public void release() {
        try {
            RELEASE.invokeExact(array);
        } catch (Throwable e) {
            LOG.debug("releasing a datagram batch: {}", e.toString());
        }
    }

    /** A static method of Netty's, erased as {@link #erase} does; null when this Netty lacks it. */
    private static MethodHandle optional(MethodHandles.Lookup in, Class<?> owner, String name, MethodType type) {
        try {
            return erase(in.findStatic(owner, name, type));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** The handle with every Netty-private type replaced by Object, so callers can invoke it exactly. */
    private static MethodHandle erase(MethodHandle h) {
        MethodType t = h.type();
        for (int i = 0; i < t.parameterCount(); i++) {
            if (!t.parameterType(i).isPrimitive() && t.parameterType(i).getName().startsWith("io.netty.channel.epoll")) {
                t = t.changeParameterType(i, Object.class);
            } else if (t.parameterType(i).isArray()) {
                t = t.changeParameterType(i, Object.class);
            }
        }
        if (!t.returnType().isPrimitive() && t.returnType().getName().startsWith("[Lio.netty")) {
            t = t.changeReturnType(Object[].class);
        }
        return h.asType(t);
    }
}
