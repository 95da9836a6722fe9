/**
 * What signaling needs from other nodes when it runs as one node of a cluster (docs/cluster.md):
 * the devices signed in elsewhere, and a link that carries events, forwarded requests and their
 * replies between nodes. The rules stay on the signaling loop of the node that owns a call; with
 * no cluster configured, {@link org.parley.signaling.cluster.Peers#NONE} keeps everything in this
 * process.
 */
package org.parley.signaling.cluster;
