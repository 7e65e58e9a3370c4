package io.parley.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KillArgs;
import io.parley.protocol.FrameCodec;
import io.parley.server.bus.Bus;
import io.parley.server.bus.BusContract;
import io.parley.server.bus.ClusterContract;
import io.parley.server.bus.ResyncContract;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Redis bus against the machine's Redis: every node of a test on the test's own key prefix (so its own
 * {@code {prefix}:bus} channel), each with its own connection pair, named so the test can find and kill its
 * subscription connection.
 */
class RedisBusTest extends BusContract implements ClusterContract, ResyncContract {
    private static final FrameCodec CODEC = new FrameCodec();

    private final String prefix = RedisSupport.newPrefix();
    private final Map<Bus, String> names = new IdentityHashMap<>();
    private final List<RedisConnections> opened = new ArrayList<>();

    @BeforeAll
    static void redis() {
        RedisSupport.requireRedis();
    }

    @Override
    protected Bus open() {
        String node = "n" + (opened.size() + 1);
        String clientName = prefix + "-" + node;
        RedisConnections c = new RedisConnections(RedisSupport.URL + "?clientName=" + clientName, prefix);
        opened.add(c);
        Bus bus = new RedisBus(c, CODEC, node);
        names.put(bus, clientName);
        return bus;
    }

    @org.junit.jupiter.api.Test
    void publishRun_travelsAsFewMessagesWithTheRecipientsOnce_notOnePerEvent() throws Exception {
        RedisBus bus = (RedisBus) node(new io.parley.server.bus.RecordingSink("alice"));
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            members.add("member-" + i);
        }
        List<io.parley.server.bus.Delivery> run = new ArrayList<>();
        for (long seq = 1; seq <= 2_500; seq++) {
            run.add(io.parley.server.bus.BusFixture.message("big", seq, "alice", List.copyOf(members)));
        }
        String channel = bus.shard("big");
        List<String> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        try (RedisConnections spy = new RedisConnections(RedisSupport.URL, prefix)) {
            spy.handle(channel.substring(0, channel.lastIndexOf(':') + 1), (from, m) -> heard.add(m));
            spy.ssubscribe(channel).get(10, TimeUnit.SECONDS);

            bus.publish(run);
            bus.publish(io.parley.server.bus.BusFixture.message("big", 2_501, "alice", List.of("alice")));

            long deadline = System.nanoTime() + WAIT.toNanos();
            while (heard.size() < 4 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            // 2,500 events at most 1,000 a message: three batches with the 2,000 recipients once each, then the event.
            assertThat(heard).hasSize(4);
            assertThat(heard.subList(0, 3)).allSatisfy(m -> assertThat(m).startsWith("B"));
            assertThat(heard.get(3)).startsWith("E");
            long events = heard.stream()
                    .mapToLong(m -> BusEnvelope.parseAll(m).size())
                    .sum();
            assertThat(events).isEqualTo(2_501);
        }
    }

    /** CLIENT KILL of the node's subscription connection (the one named like the node with the pub/sub flag). */
    @Override
    public void loseSubscription(Bus node) throws Exception {
        String name = names.get(node);
        try (RedisConnections admin = new RedisConnections(RedisSupport.URL, prefix)) {
            String list = admin.async().clientList().get(10, TimeUnit.SECONDS);
            long id = list.lines()
                    .filter(l -> l.contains(" name=" + name + " ") && l.matches(".* flags=\\S*P\\S* .*"))
                    .mapToLong(l -> Long.parseLong(l.substring(3, l.indexOf(' '))))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no subscription connection named " + name + ": " + list));
            admin.async().clientKill(KillArgs.Builder.id(id)).get(10, TimeUnit.SECONDS);
        }
    }

    @Override
    protected void cleanup() {
        opened.forEach(RedisConnections::close);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }
}
