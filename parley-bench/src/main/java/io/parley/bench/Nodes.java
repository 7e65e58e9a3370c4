package io.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The servers under test: one or more nodes started from the jar (sharing a store and a bus when several), or the
 * ones already running at {@code url}. Stops them all at once and says how long each took.
 */
final class Nodes {
    private final List<ServerHandle> servers;
    private final List<ServerRest> rests = new ArrayList<>();

    private Nodes(List<ServerHandle> servers) {
        this.servers = servers;
        for (ServerHandle s : servers) {
            rests.add(new ServerRest(s.url()));
        }
    }

    /** Starts {@code server.nodes} servers on {@code shared}, or points at the running ones. */
    static Nodes start(BenchConfig c, SharedStore shared) throws Exception {
        List<ServerHandle> servers = new ArrayList<>();
        try {
            if (c.startServer()) {
                if (c.nodes() > 1) {
                    System.out.println("cluster of " + c.nodes() + " nodes on " + shared);
                }
                for (int i = 0; i < c.nodes(); i++) {
                    servers.add(ServerHandle.start(c, shared.env()));
                }
            } else {
                for (String u : c.urls()) {
                    servers.add(ServerHandle.external(u, servers.isEmpty() ? c.serverPid() : 0));
                }
            }
        } catch (Exception e) {
            new Nodes(servers).stop(true, false);
            throw e;
        }
        return new Nodes(servers);
    }

    List<String> urls() {
        return servers.stream().map(ServerHandle::url).toList();
    }

    long[] pids() {
        return servers.stream().mapToLong(ServerHandle::pid).toArray();
    }

    /** The first node's REST side: users and conversations are set up there. */
    ServerRest first() {
        return rests.get(0);
    }

    /**
     * The nodes' own delivery latency (parley_message_delivery_latency_seconds: from a message's creation, before its
     * commit, to its write to a recipient's socket), its cumulative buckets summed over the nodes.
     */
    TreeMap<Double, Double> deliveryBuckets() {
        return buckets("parley_message_delivery_latency_seconds");
    }

    /**
     * The nodes' search index lag (parley_search_index_lag_seconds: from a message's creation, edit or deletion to the
     * commit of the index batch that took it), summed over the nodes; empty when no node indexes.
     */
    TreeMap<Double, Double> indexLagBuckets() {
        return buckets("parley_search_index_lag_seconds");
    }

    /** The nodes' group commits (parley_message_store_commit_seconds: one batch of writes), summed over the nodes. */
    TreeMap<Double, Double> commitBuckets() {
        return buckets("parley_message_store_commit_seconds");
    }

    private TreeMap<Double, Double> buckets(String histogram) {
        TreeMap<Double, Double> sum = new TreeMap<>();
        for (ServerRest r : rests) {
            r.buckets(histogram).forEach((le, n) -> sum.merge(le, n, Double::sum));
        }
        return sum;
    }

    /** parley_messages_delivered_total summed over the nodes. */
    double delivered() {
        double sum = 0;
        for (ServerRest r : rests) {
            sum += r.counter("parley_messages_delivered_total");
        }
        return sum;
    }

    /**
     * SIGTERM to every node at once, then waits for each; prints how long each took. False when one had to be killed.
     * Stopping twice is harmless: the second call finds nothing to stop.
     */
    boolean stop(boolean keepData, boolean whileSending) throws Exception {
        long since = System.nanoTime();
        servers.forEach(ServerHandle::terminate);
        boolean allStopped = true;
        for (int i = 0; i < servers.size(); i++) {
            long took = servers.get(i).awaitStop(since, keepData);
            if (took != 0 || servers.size() > 1) {
                System.out.println("node " + i
                        + (took < 0
                                ? ": did not stop within 30 s of SIGTERM, killed"
                                : ": stopped " + took + " ms after SIGTERM"
                                        + (whileSending ? " (while clients were sending)" : "")));
            }
            allStopped &= took >= 0;
        }
        servers.clear();
        return allStopped;
    }
}
