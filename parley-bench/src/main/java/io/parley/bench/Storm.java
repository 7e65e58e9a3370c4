package io.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.server.auth.HmacJwt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The reconnect storm (docs/performance.md, "The reconnect storm"): {@code users} Java SDK clients in groups of
 * {@code group.size}, spread over {@code generators} child processes (a process may open 20,000 files), all
 * connected and live on one node; one member of each group sends every {@code send.every.ms}; the node is killed
 * with -9 and started again on the same data dir and port. Measured: the time until every client is back and
 * synced, live delivery p99 of clients already back during the storm, the server's RSS; counted: every acked
 * message must reach every member of its group (zero lost). Bounded and self-stopping; 127.0.0.1 only.
 * <p>
 * {@code java -cp parley-bench/target/parley-bench.jar io.parley.bench.Storm users=19000 generators=4}; the
 * server is started from {@code server.jar} (or, with {@code server.jar=classpath}, from this JVM's class path).
 */
public final class Storm {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run found; {@link #ok} says whether every client came back and nothing was lost. */
    public record Result(
            int users,
            int back,
            long backMillis,
            long acked,
            long lost,
            long deliveredLive,
            double liveP99Millis,
            long rssBeforeKib,
            long rssPeakKib,
            Map<String, Long> closeCodes) {
        public boolean ok() {
            return back == users && lost == 0 && acked > 0;
        }
    }

    private final Map<String, String> o;

    public Storm(Map<String, String> options) {
        this.o = options;
    }

    private String opt(String key, String def) {
        return o.getOrDefault(key, def);
    }

    private int intOpt(String key, int def) {
        return Integer.parseInt(opt(key, Integer.toString(def)));
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("generator")) {
            StormGenerator.run(args);
            return;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("arguments are key=value, got " + a);
            }
            options.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Result r = new Storm(options).run();
        System.out.println("RESULT " + r);
        System.exit(r.ok() ? 0 : 1);
    }

    public Result run() throws Exception {
        int users = intOpt("users", 19_000);
        int generators = intOpt("generators", 4);
        int groupSize = intOpt("group.size", 10);
        long deadlineMillis = intOpt("back.within.seconds", 60) * 1000L;
        String secret = opt("secret", "storm-secret-that-is-at-least-32-bytes!");
        Path dir = Files.createTempDirectory("parley-storm");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PARLEY_HTTP_PORT", Integer.toString(port));
        env.put("PARLEY_DATA_DIR", dir.resolve("data").toString());
        env.put("PARLEY_AUTH_JWT_SECRET", secret);
        // Provisioning registers every user over REST from one address: not what the limits are for.
        env.put("PARLEY_RATE_REST", "0");
        for (Map.Entry<String, String> e : o.entrySet()) {
            if (e.getKey().startsWith("PARLEY_")) {
                env.put(e.getKey(), e.getValue());
            }
        }
        List<StormGenerator.Child> children = new ArrayList<>();
        boolean clean = false;
        Process server = startServer(env, dir.resolve("server-1.log"));
        try {
            HmacJwt jwt = new HmacJwt(secret.getBytes(StandardCharsets.UTF_8), "parley", null, Clock.systemUTC());
            List<List<String>> groups = provision(url, jwt, users, groupSize);
            int perChild = (groups.size() + generators - 1) / generators;
            for (int g = 0; g < generators; g++) {
                List<List<String>> mine = groups.subList(
                        Math.min(groups.size(), g * perChild), Math.min(groups.size(), (g + 1) * perChild));
                if (mine.isEmpty()) {
                    continue;
                }
                Path file = dir.resolve("groups-" + g + ".txt");
                List<String> lines = new ArrayList<>();
                mine.forEach(m -> lines.add(String.join(" ", m)));
                Files.write(file, lines);
                children.add(StormGenerator.Child.start(o, url, secret, file, dir.resolve("generator-" + g + ".log")));
            }
            int total =
                    children.stream().mapToInt(StormGenerator.Child::clients).sum();
            awaitAll(children, c -> c.live() == c.clients(), Duration.ofMinutes(5), "every client live");
            System.out.printf(
                    "storm: %d clients live in %d generators (%s)%n", total, children.size(), java.time.Instant.now());
            ProcSampler before = new ProcSampler(server.pid());
            long rssBefore = before.rssKib();
            Thread.sleep(intOpt("steady.ms", 3000)); // pacing: steady traffic before the kill
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
            long killedAt = System.nanoTime();
            children.forEach(c -> c.command("epoch"));
            server = startServer(env, dir.resolve("server-2.log"));
            ProcSampler after = new ProcSampler(server.pid());
            long rssPeak = 0;
            long backMillis = -1;
            long limit = killedAt + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
            while (System.nanoTime() < limit) {
                rssPeak = Math.max(rssPeak, after.rssKib());
                if (children.stream().allMatch(c -> c.backSinceEpoch() == c.clients())) {
                    backMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    break;
                }
                Thread.sleep(100); // deadline poll: the generators' status lines
            }
            int back = children.stream()
                    .mapToInt(StormGenerator.Child::backSinceEpoch)
                    .sum();
            System.out.printf(
                    "storm: %d of %d back and synced %s%n",
                    back, total, backMillis >= 0 ? "in " + backMillis + " ms" : "NOT within " + deadlineMillis + " ms");
            Thread.sleep(intOpt("after.ms", 2000)); // pacing: live traffic after the storm
            rssPeak = Math.max(rssPeak, after.rssKib());
            children.forEach(c -> c.command("stop"));
            long acked = 0;
            long lost = 0;
            long live = 0;
            double p99 = 0;
            Map<String, Long> codes = new ConcurrentHashMap<>();
            for (StormGenerator.Child c : children) {
                Map<String, String> res = c.result(Duration.ofMinutes(2));
                acked += Long.parseLong(res.get("acked"));
                lost += Long.parseLong(res.get("lost"));
                live += Long.parseLong(res.get("live"));
                p99 = Math.max(p99, Double.parseDouble(res.get("liveP99Ms")));
                for (String kv : res.getOrDefault("closes", "").split(",")) {
                    if (kv.contains(":")) {
                        String[] p = kv.split(":");
                        codes.merge(p[0], Long.parseLong(p[1]), Long::sum);
                    }
                }
            }
            Result r =
                    new Result(total, back, backMillis, acked, lost, live, p99, rssBefore, rssPeak, Map.copyOf(codes));
            System.out.println("storm: " + r);
            clean = r.ok();
            return r;
        } finally {
            children.forEach(StormGenerator.Child::kill);
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
            if (clean && !Boolean.parseBoolean(opt("keep.data", "false"))) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                }
            } else {
                System.out.println("storm: data and logs kept in " + dir + " (deleted after a clean run)");
            }
        }
    }

    private interface Check {
        boolean test(StormGenerator.Child c);
    }

    private static void awaitAll(List<StormGenerator.Child> children, Check check, Duration within, String what)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!children.stream().allMatch(check::test)) {
            for (StormGenerator.Child c : children) {
                if (!c.alive()) {
                    throw new IllegalStateException("a generator exited; see " + c.log());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not " + what + " within " + within);
            }
            Thread.sleep(100); // deadline poll: the generators' status lines
        }
    }

    /** Every user (GET /me makes them) and their groups, over REST. Returns each group: conversation id, members. */
    private static List<List<String>> provision(String url, HmacJwt jwt, int users, int groupSize) throws Exception {
        ServerRest rest = new ServerRest(url);
        List<String> names = new ArrayList<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            String u = "s" + i;
            names.add(u);
            all.add(rest.call("GET", "/api/v1/me", jwt.issue(u, Duration.ofHours(6)), null));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        List<CompletableFuture<List<String>>> groups = new ArrayList<>();
        for (int g = 0; g + groupSize <= users; g += groupSize) {
            List<String> members = names.subList(g, g + groupSize);
            ObjectNode req = JSON.createObjectNode().put("type", "group").put("title", "storm " + g);
            ArrayNode m = req.putArray("members");
            members.subList(1, groupSize).forEach(m::add);
            groups.add(rest.call(
                            "POST",
                            "/api/v1/conversations",
                            jwt.issue(members.get(0), Duration.ofHours(1)),
                            req.toString())
                    .thenApply(body -> {
                        List<String> line = new ArrayList<>();
                        line.add(body.path("id").asText());
                        line.addAll(members);
                        return line;
                    }));
        }
        List<List<String>> out = new ArrayList<>();
        for (CompletableFuture<List<String>> f : groups) {
            out.add(f.get(10, TimeUnit.MINUTES));
        }
        return out;
    }

    /** The server: {@code server.jar}, or {@code classpath} for this JVM's class path (tests). */
    private Process startServer(Map<String, String> env, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(List.of(
                opt("server.options", "-Xmx160m -XX:MaxNewSize=24m").trim().split("\\s+")));
        String jar = opt("server.jar", "parley-server/target/parley.jar");
        if (jar.equals("classpath")) {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("io.parley.server.Main");
        } else {
            cmd.add("-jar");
            cmd.add(jar);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PARLEY_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                            PrintStream w = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            w.println(line);
                            if (line.contains("Parley listening on ")) {
                                listening.complete(null);
                            }
                        }
                        listening.completeExceptionally(new IllegalStateException("server exited; see " + log));
                    } catch (IOException e) {
                        listening.completeExceptionally(e);
                    }
                },
                "storm-server-log");
        t.setDaemon(true);
        t.start();
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("server did not start; see " + log, e);
        }
        return p;
    }
}
