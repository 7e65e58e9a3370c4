package io.parley.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.FrameCodec;
import io.parley.server.bus.Bus;
import io.parley.server.bus.BusContract;
import io.parley.server.bus.ClusterContract;
import io.parley.server.bus.FailoverContract;
import io.parley.server.bus.ResyncContract;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis bus on a real Redis Cluster of the test's own ({@link RedisClusterProcesses}: 3 masters, 3 replicas): the
 * whole bus contract, a subscription killed on the cluster's nodes, and a master failover under traffic
 * ({@code CLUSTER FAILOVER} on a replica). Every test on its own key prefix.
 */
class RedisClusterBusTest extends BusContract implements ClusterContract, ResyncContract, FailoverContract {
    private static final FrameCodec CODEC = new FrameCodec();
    private static RedisClusterProcesses cluster;

    private final String prefix = RedisSupport.newPrefix();
    private final Map<Bus, String> names = new IdentityHashMap<>();
    private final List<RedisConnections> opened = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new RedisClusterProcesses();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Bus open() {
        String node = "n" + (opened.size() + 1);
        String clientName = prefix + "-" + node;
        RedisConnections c = new RedisConnections(cluster.url() + "?clientName=" + clientName, prefix);
        opened.add(c);
        Bus bus = new RedisBus(c, CODEC, node);
        names.put(bus, clientName);
        return bus;
    }

    /** CLIENT KILL of every subscription connection of the node, on every cluster node that holds one. */
    @Override
    public void loseSubscription(Bus node) {
        String name = names.get(node);
        int killed = 0;
        for (int port : cluster.ports()) {
            for (String line : cluster.cli(port, "CLIENT", "LIST").lines().toList()) {
                if (line.contains(" name=" + name + " ") && line.matches(".* flags=\\S*P\\S* .*")) {
                    cluster.cli(port, "CLIENT", "KILL", "ID", line.substring(3, line.indexOf(' ')));
                    killed++;
                }
            }
        }
        assertThat(killed).as("subscription connections named " + name).isPositive();
    }

    @Override
    public void failOver() {
        cluster.failOver(cluster.masters().get(0));
    }

    @Test
    void busChannels_spreadOverEveryMaster() {
        // The default prefix, so the slots are fixed: CLUSTER KEYSLOT is CRC16 of the hash tag, the same on any
        // cluster.
        RedisConnections c = new RedisConnections(cluster.url(), "parley");
        opened.add(c);
        java.util.Set<Integer> slots = new java.util.TreeSet<>();
        for (int i = 0; i < RedisBus.SHARDS; i++) {
            slots.add(
                    Integer.parseInt(cluster.cli(cluster.ports().get(0), "CLUSTER", "KEYSLOT", c.shardChannel("bus", i))
                            .trim()));
        }
        assertThat(slots)
                .as("distinct slots of the " + RedisBus.SHARDS + " bus channels")
                .hasSize(RedisBus.SHARDS);
        // redis-cli --cluster create gives 3 masters the ranges 0-5460, 5461-10922, 10923-16383: each gets channels.
        assertThat(slots.stream()
                        .map(s -> s <= 5460 ? 0 : s <= 10922 ? 1 : 2)
                        .distinct()
                        .count())
                .as("masters serving bus channels, slots " + slots)
                .isEqualTo(3);
    }

    @Override
    protected void cleanup() {
        opened.forEach(RedisConnections::close);
    }
}
