package io.parley.server.redis;

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
