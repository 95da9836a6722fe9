package org.parley.cluster;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The nodes of the cluster: each heartbeats a key with a time to live of {@code node-timeout} and
 * reads the others'. A node whose key has expired is dead; every node that saw it alive reports it
 * once, so each can end what its devices had there.
 */
final class NodeRegistry {

    private final RedisAsyncCommands<String, String> redis;
    private final ClusterConfig config;
    private final Consumer<String> lost;
    /** Nodes alive at the last heartbeat; read from other threads. */
    private final Set<String> alive = ConcurrentHashMap.newKeySet();

    NodeRegistry(RedisAsyncCommands<String, String> redis, ClusterConfig config, Consumer<String> lost) {
        this.redis = redis;
        this.config = config;
        this.lost = lost;
    }

    /** Refreshes this node's key, then compares the others' with the last heartbeat. */
    CompletableFuture<Void> heartbeat() {
        String self = config.nodeId();
        return redis.set(Keys.node(self), Long.toString(System.currentTimeMillis()),
                        SetArgs.Builder.px(config.nodeTimeout().toMillis()))
                .thenCompose(ok -> redis.sadd(Keys.NODES, self))
                .thenCompose(n -> redis.smembers(Keys.NODES))
                .thenCompose(this::check)
                .toCompletableFuture();
    }

    private CompletableFuture<Void> check(Set<String> members) {
        List<String> ids = new ArrayList<>(members);
        List<CompletableFuture<Long>> exists = new ArrayList<>();
        for (String id : ids) {
            exists.add(redis.exists(Keys.node(id)).toCompletableFuture());
        }
        return CompletableFuture.allOf(exists.toArray(CompletableFuture[]::new)).thenRun(() -> {
            Set<String> now = new HashSet<>();
            for (int i = 0; i < ids.size(); i++) {
                if (exists.get(i).join() > 0) {
                    now.add(ids.get(i));
                } else {
                    redis.srem(Keys.NODES, ids.get(i));
                }
            }
            for (String was : Set.copyOf(alive)) {
                if (!now.contains(was)) {
                    alive.remove(was);
                    lost.accept(was);
                }
            }
            alive.addAll(now);
        });
    }

    /** True when {@code node} heartbeat at the last look, or is this node. */
    boolean isAlive(String node) {
        return node.equals(config.nodeId()) || alive.contains(node);
    }

    /** Asks Redis whether {@code node} heartbeats now (a node started since the last look). */
    CompletableFuture<Boolean> ask(String node) {
        return redis.exists(Keys.node(node)).thenApply(n -> n > 0).toCompletableFuture();
    }

    /**
     * Those of {@code items} whose node ({@code nodeOf}) is alive: known from the last heartbeat,
     * and for a node not seen then (started since, or died), asked of Redis.
     */
    <T> CompletableFuture<List<T>> live(List<T> items, Function<T, String> nodeOf) {
        List<T> known = new ArrayList<>();
        List<T> unsure = new ArrayList<>();
        for (T item : items) {
            (isAlive(nodeOf.apply(item)) ? known : unsure).add(item);
        }
        if (unsure.isEmpty()) {
            return CompletableFuture.completedFuture(known);
        }
        List<CompletableFuture<Boolean>> asks = unsure.stream().map(t -> ask(nodeOf.apply(t))).toList();
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (int i = 0; i < unsure.size(); i++) {
                if (asks.get(i).join()) {
                    known.add(unsure.get(i));
                }
            }
            return known;
        });
    }

    /** This node stops: its key goes, so the others see it gone at their next heartbeat. */
    CompletableFuture<Void> leave() {
        return redis.del(Keys.node(config.nodeId())).thenAccept(n -> { }).toCompletableFuture();
    }

    int aliveCount() {
        return alive.size();
    }
}
