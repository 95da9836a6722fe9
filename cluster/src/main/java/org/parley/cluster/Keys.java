package org.parley.cluster;

/** Every Redis key and channel the cluster uses, in one place (docs/cluster.md lists them). */
final class Keys {

    /** The set of node ids that ever heartbeat and were not yet found dead. */
    static final String NODES = "parley:nodes";

    private Keys() {
    }

    /** A node's heartbeat: a string with a time to live of {@code node-timeout}. */
    static String node(String node) {
        return "parley:node:" + node;
    }

    /** A user's signed-in devices: a hash of session id -> device JSON, with {@code presence-ttl}. */
    static String presence(String user) {
        return "parley:presence:" + user;
    }

    /**
     * A session (docs/cluster.md "Sessions in Redis"): a hash of user, device, name, node (which
     * holds it), token (its resume token), nextSeq and calls. The braces keep a session's keys in
     * one Redis Cluster slot, as the scripts that touch both need.
     */
    static String session(String sessionId) {
        return "parley:session:{" + sessionId + "}";
    }

    /** A session's unacknowledged events, oldest first, each carrying its seq. */
    static String events(String sessionId) {
        return "parley:session:{" + sessionId + "}:events";
    }

    /** A resume token: the id of its session. */
    static String resume(String resumeToken) {
        return "parley:resume:" + resumeToken;
    }

    /**
     * An answered call (docs/cluster.md "Calls in Redis"): a hash of owner (the node running it)
     * and record (its parties, devices, state and media flags as JSON).
     */
    static String call(String callId) {
        return "parley:call:{" + callId + "}";
    }

    /**
     * A room (docs/cluster.md "Rooms across nodes"): a hash of owner (the node running its rules)
     * and record.
     */
    static String room(String roomId) {
        return "parley:room:{" + roomId + "}";
    }

    /**
     * A user's live one-to-one calls at every node (docs/cluster.md "Calls across nodes"): a hash of
     * call id -> entry JSON (owner, caller, callee, answered).
     */
    static String userCalls(String user) {
        return "parley:calls:{" + user + "}";
    }

    /** A user's messages in its current rate-limit window: a counter expiring with the window. */
    static String rate(String user) {
        return "parley:rate:{" + user + "}";
    }

    /** The pub/sub channel a node receives on. */
    static String bus(String node) {
        return "parley:bus:" + node;
    }
}
