package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.OutgoingMessage;
import io.parley.protocol.ServerFrame;
import io.parley.server.redis.RedisSupport;
import io.parley.server.store.jdbc.PostgresSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain of the 10k-users layout, from the shipped configs: Debian's nginx (deploy/nginx.conf, rendered from its
 * template: WebSocket proxying) in front of Debian's HAProxy (deploy/haproxy.cfg as it is, ports from the environment:
 * leastconn, health checks on /health/ready every second, maxconn per server) in front of three Parley nodes in child
 * JVMs on PostgreSQL and Redis. Clients connect only to nginx. Every node is restarted in turn with SIGTERM under
 * traffic (a draining node closes its sessions with 1001 spread over a second), then one node is killed with SIGKILL
 * under traffic; every send is acked and every client ends with every message once, gapless.
 */
class ChainTest {
    private static final int CLIENTS = 9;

    private final String schema = PostgresSupport.newSchema();
    private final String prefix = RedisSupport.newPrefix();
    private final List<Process> proxies = new ArrayList<>();

    @BeforeAll
    static void services() {
        PostgresSupport.requirePostgres();
        RedisSupport.requireRedis();
        for (String tool : List.of("nginx", "haproxy")) {
            boolean present = Stream.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")
                    .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
            if (!present) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError(tool + " is not installed (CI=true: .ci/run installs it)");
                }
                Assumptions.abort(tool + " is not installed; skipped outside CI");
            }
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : proxies) {
            // SIGTERM first: nginx's and HAProxy's masters then stop their workers (a SIGKILL of the master left
            // nginx's workers running after every run); then any process of the proxy still there, by PID.
            List<ProcessHandle> workers = p.descendants().toList();
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            workers.forEach(ProcessHandle::destroyForcibly);
        }
        PostgresSupport.dropSchema(schema);
        RedisSupport.deleteKeys(RedisSupport.URL, prefix);
    }

    private static Path deployDir() {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.exists(here.resolve("deploy/haproxy.cfg"))) {
            here = here.getParent();
        }
        if (here == null) {
            throw new IllegalStateException(
                    "deploy/haproxy.cfg not found above " + Path.of("").toAbsolutePath());
        }
        return here.resolve("deploy");
    }

    private ServerProcess node(Path dir, int i, int port) throws Exception {
        Path work = Files.createDirectories(dir.resolve("node" + i));
        return ServerProcess.start(
                work,
                Map.of(
                        "PARLEY_HTTP_PORT",
                        Integer.toString(port),
                        "PARLEY_STORE_URL",
                        PostgresSupport.url(schema),
                        "PARLEY_STORE_READERS",
                        "2",
                        "PARLEY_REDIS_URL",
                        RedisSupport.URL,
                        "PARLEY_REDIS_PREFIX",
                        prefix,
                        "PARLEY_AUTH_JWT_SECRET",
                        TestServer.SECRET));
    }

    private Process proxy(Path log, Map<String, String> env, String... command) throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        proxies.add(p);
        return p;
    }

    private static void awaitListening(int port, Process p, Path log) {
        Poll.until(
                () -> {
                    if (!p.isAlive()) {
                        String out;
                        try {
                            out = Files.readString(log);
                        } catch (IOException e) {
                            out = e.toString();
                        }
                        throw new AssertionError("exited: " + out);
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                },
                Duration.ofSeconds(20),
                "listening on " + port);
    }

    @Test
    void nginxHaproxyThreeNodes_rollingRestartThenKillOne_nothingLostNothingDuplicated(@TempDir Path dir)
            throws Exception {
        int[] ports = {ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort()};
        int lbPort = ServerProcess.freePort();
        int nginxPort = ServerProcess.freePort();
        List<ServerProcess> nodes = new ArrayList<>();
        List<Chatter> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                // A port found free may be taken as an ephemeral port by an outgoing connection (the nodes already
                // started talk to PostgreSQL and Redis) before the node binds it: then another port.
                for (int attempt = 1; ; attempt++) {
                    try {
                        nodes.add(node(dir, i, ports[i]));
                        break;
                    } catch (IllegalStateException e) {
                        if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                            throw e;
                        }
                        ports[i] = ServerProcess.freePort();
                    }
                }
            }
            Path deploy = deployDir();
            Map<String, String> lbEnv = new HashMap<>();
            lbEnv.put("LB_PORT", Integer.toString(lbPort));
            // haproxy.cfg's TLS frontend needs a port and a certificate too (TlsProxiesTest exercises it).
            TestCa.Leaf leaf = new TestCa("chain").issue(dir, "localhost");
            Path pem = Files.writeString(
                    dir.resolve("haproxy.pem"), Files.readString(leaf.certFile()) + Files.readString(leaf.keyFile()));
            lbEnv.put("LB_TLS_PORT", Integer.toString(ServerProcess.freePort()));
            lbEnv.put("TLS_PEM", pem.toString());
            for (int i = 0; i < 3; i++) {
                lbEnv.put("NODE" + (i + 1) + "_PORT", Integer.toString(ports[i]));
            }
            Path haproxyLog = dir.resolve("haproxy.log");
            Process haproxy = proxy(
                    haproxyLog,
                    lbEnv,
                    "haproxy",
                    "-db",
                    "-f",
                    deploy.resolve("haproxy.cfg").toString());
            awaitListening(lbPort, haproxy, haproxyLog);

            Path run = Files.createDirectories(dir.resolve("nginx"));
            String conf = Files.readString(deploy.resolve("nginx.conf"))
                    .replace("${NGINX_PORT}", Integer.toString(nginxPort))
                    .replace("${LB_PORT}", Integer.toString(lbPort))
                    .replace("${RUN_DIR}", run.toString());
            Path rendered = run.resolve("nginx.conf");
            Files.writeString(rendered, conf);
            Path nginxLog = dir.resolve("nginx.log");
            Process nginx = proxy(nginxLog, Map.of(), "nginx", "-c", rendered.toString(), "-g", "daemon off;");
            awaitListening(nginxPort, nginx, nginxLog);

            String http = "http://127.0.0.1:" + nginxPort;
            String ws = "ws://127.0.0.1:" + nginxPort + "/ws";
            Poll.until(
                    () -> new Rest(http, null).get("/health/ready").status() == 200,
                    Duration.ofSeconds(20),
                    "ready through nginx and HAProxy");
            // Not through Rest: a 404 from nginx is not one of the server's documented answers.
            assertThat(java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(http + "/metrics"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .as("/metrics is not public")
                    .isEqualTo(404);
            List<String> users = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                users.add("u" + i);
                new Rest(http, TestServer.token("u" + i)).get("/api/v1/me");
            }
            String group = new Rest(http, TestServer.token("u0"))
                    .group("chain", users.subList(1, CLIENTS).toArray(String[]::new));
            for (String u : users) {
                clients.add(new Chatter(u, ws, Map.of(), Duration.ofSeconds(120)));
            }
            CompletableFuture.allOf(
                            clients.stream().map(c -> c.client.connect()).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);

            List<OutgoingMessage> sent = new ArrayList<>();
            int[] round = {0};
            Runnable sendRound = () -> {
                for (Chatter c : clients) {
                    sent.add(c.send(group, c.user + "-" + round[0]));
                }
                round[0]++;
            };
            // Phase 1: rolling restart, SIGTERM each node in turn while the traffic goes on.
            for (int i = 0; i < 3; i++) {
                ServerProcess stopping = nodes.get(i);
                CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> {
                    try {
                        return stopping.terminate();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                });
                while (!stopped.isDone()) {
                    sendRound.run();
                    // Pacing: real traffic while the node drains (its sessions close over a second).
                    Thread.sleep(50);
                }
                assertThat(stopped.get()).as("node %d stopped cleanly", i).isTrue();
                nodes.set(i, node(dir, i, ports[i]));
                for (int r = 0; r < 5; r++) {
                    sendRound.run();
                    Thread.sleep(30);
                }
            }
            // Phase 2: traffic, and node 1 is killed with SIGKILL in the middle of it (and stays down).
            for (int r = 0; r < 30; r++) {
                if (r == 10) {
                    nodes.get(1).kill();
                }
                sendRound.run();
                // Pacing: real traffic to child processes, spread over the kill.
                Thread.sleep(30);
            }
            awaitAll(sent);
            int total = sent.size();
            for (Chatter c : clients) {
                c.awaitCount(group, total, Duration.ofSeconds(60));
            }

            List<String> reference = null;
            for (Chatter c : clients) {
                List<ServerFrame.Event> got = c.messages(group);
                assertThat(got).as(c.user).hasSize(total);
                for (int i = 1; i < got.size(); i++) {
                    assertThat(got.get(i).seq())
                            .as("%s: seq after %d", c.user, got.get(i - 1).seq())
                            .isEqualTo(got.get(i - 1).seq() + 1);
                }
                List<String> ids =
                        got.stream().map(e -> e.seq() + ":" + e.messageId()).toList();
                if (reference == null) {
                    reference = ids;
                } else {
                    assertThat(ids).as(c.user).isEqualTo(reference);
                }
            }
            Set<String> bodies = new HashSet<>();
            for (ServerFrame.Event e : clients.get(0).messages(group)) {
                assertThat(bodies.add(e.body())).as("duplicate %s", e.body()).isTrue();
            }
            assertThat(bodies).hasSize(total);
            long reconnected = clients.stream().filter(c -> !c.closes.isEmpty()).count();
            System.out.printf(
                    "chain: %d messages over %d rounds; %d of %d clients reconnected at least once; none lost or"
                            + " duplicated%n",
                    total, round[0], reconnected, CLIENTS);
            assertThat(reconnected)
                    .as("every client lost its node at least once in the rolling restart")
                    .isEqualTo(CLIENTS);
        } finally {
            clients.forEach(Chatter::close);
            for (ServerProcess p : nodes) {
                p.close();
            }
        }
    }

    private static void awaitAll(List<OutgoingMessage> sent) throws Exception {
        CompletableFuture.allOf(sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                .get(120, TimeUnit.SECONDS);
    }
}
