package io.parley.server.redis;

import io.parley.server.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis Cluster of the test's own: six redis-server processes (Debian's, cluster mode on) on free ports of
 * their own, with data dirs in a temp dir, joined by {@code redis-cli --cluster create} into 3 masters with one
 * replica each. Never the machine's Redis on 6379. With CI=true a missing redis-server fails the test; elsewhere it is
 * skipped.
 */
public final class RedisClusterProcesses implements AutoCloseable {
    private static final Duration FORMED = Duration.ofSeconds(60);

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    public RedisClusterProcesses() throws Exception {
        require();
        dir = Files.createTempDirectory("parley-redis-cluster");
        try {
            for (int i = 0; i < 6; i++) {
                ports.add(freePortWithBusPort());
            }
            for (int port : ports) {
                processes.add(start(port));
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            String out = run(create);
            if (!out.contains("All 16384 slots covered")) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + out);
            }
            Poll.until(
                    () -> ports.stream().allMatch(p -> cli(p, "CLUSTER", "INFO").contains("cluster_state:ok")),
                    FORMED,
                    "the cluster reports cluster_state:ok on every node");
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    private static void require() {
        boolean present = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d ->
                        Files.isExecutable(Path.of(d, "redis-server")) && Files.isExecutable(Path.of(d, "redis-cli")));
        if (!present) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("redis-server/redis-cli not found (CI=true: .ci/run installs redis-server)");
            }
            Assumptions.abort("redis-server not installed; skipped outside CI");
        }
    }

    /** {@code redis-cluster://} naming every node as a seed. */
    public String url() {
        return "redis-cluster://" + ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** The ports of the nodes that are masters now. */
    public List<Integer> masters() {
        return ports.stream().filter(p -> cli(p, "ROLE").startsWith("master")).collect(Collectors.toList());
    }

    /** The port of a replica of the master on {@code masterPort}. */
    public int replicaOf(int masterPort) {
        return ports.stream()
                .filter(p -> {
                    String role = cli(p, "ROLE");
                    return role.startsWith("slave") && role.contains("\n" + masterPort + "\n");
                })
                .findFirst()
                .orElseThrow(() -> new AssertionError("no replica of " + masterPort));
    }

    /**
     * CLUSTER FAILOVER on a replica of {@code masterPort}: the replica and master agree on the replication offset, the
     * replica takes the slots, the old master becomes its replica. Returns the new master's port once every node
     * agrees and the cluster is ok.
     */
    public int failOver(int masterPort) {
        int replica = replicaOf(masterPort);
        String ok = cli(replica, "CLUSTER", "FAILOVER");
        if (!ok.startsWith("OK")) {
            throw new IllegalStateException("CLUSTER FAILOVER on " + replica + ": " + ok);
        }
        Poll.until(
                () -> cli(replica, "ROLE").startsWith("master")
                        && ports.stream()
                                .allMatch(p -> cli(p, "CLUSTER", "INFO").contains("cluster_state:ok")),
                FORMED,
                "replica " + replica + " took over from " + masterPort);
        return replica;
    }

    /** redis-cli against one node; the output as text. */
    public String cli(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process start(int port) throws Exception {
        Path d = Files.createDirectories(dir.resolve(Integer.toString(port)));
        Process p = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                        "--cluster-node-timeout",
                        "2000",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        d.toString())
                .redirectErrorStream(true)
                .redirectOutput(d.resolve("redis.log").toFile())
                .start();
        Poll.until(
                () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("redis-server on " + port + " exited", e);
                        }
                        return false;
                    }
                },
                Duration.ofSeconds(10),
                "redis-server accepting on " + port);
        return p;
    }

    /** A free port whose cluster bus port (+10000) is free too. */
    private static int freePortWithBusPort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            if (port + 10000 > 65535) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port + 10000)) {
                return port;
            } catch (IOException taken) {
                // its bus port is in use: pick another
            }
        }
        throw new IOException("no free port pair for a cluster node");
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
