package org.parley.cluster.relay;

/**
 * The Redis keys of the relay pool (docs/cluster.md "Relays"). Every key starts with
 * {@code parley:} so that one Redis can serve other applications too.
 */
final class RelayKeys {

    /** A set of relay ids that registered; a member whose registration expired is dropped by readers. */
    static final String INDEX = "parley:relays";

    private RelayKeys() {
    }

    /** The hash of one relay's registration (control URL, region, load, draining), with a TTL. */
    static String relay(String relayId) {
        return "parley:relay:" + relayId;
    }

    /** The id of the relay a conference is placed on. */
    static String placement(String conferenceId) {
        return "parley:conference:" + conferenceId + ":relay";
    }

    /** A spread conference's endpoints: a hash endpoint id -> relay id (cascading). */
    static String spread(String conferenceId) {
        return "parley:conference:" + conferenceId + ":endpoints";
    }
}
