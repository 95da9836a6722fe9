/**
 * Many Parley nodes as one service (docs/cluster.md): state shared through Redis, events delivered
 * to devices on other nodes, relays registered as a pool. Used only when {@code parley.cluster.redis}
 * is set; without it every store stays in-process, as in the embedded single-process server.
 */
package org.parley.cluster;
