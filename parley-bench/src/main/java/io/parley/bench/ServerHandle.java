package io.parley.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One server under test: a child process started from the jar (fresh data dir; a node of a cluster when {@code env}
 * names a shared store and bus), or one already running.
 */
final class ServerHandle {
    private final String url;
    private final long pid;
    private final Process process;
    private final Path data;

    private ServerHandle(String url, long pid, Process process, Path data) {
        this.url = url;
        this.pid = pid;
        this.process = process;
        this.data = data;
    }

    static ServerHandle external(String url, long pid) {
        return new ServerHandle(url, pid, null, null);
    }

    /** Starts a server with {@code env} (PARLEY_* settings) added to its environment. */
    static ServerHandle start(BenchConfig c, java.util.Map<String, String> env) throws Exception {
        Path jar = Path.of(c.serverJar());
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " not found: build it with mvn -q -DskipTests package");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = Files.createTempDirectory("parley-bench-data");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(c.serverOptions().trim().split("\\s+")));
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PARLEY_"));
        pb.environment().put("PARLEY_HTTP_PORT", Integer.toString(port));
        pb.environment().put("PARLEY_DATA_DIR", data.toString());
        pb.environment().put("PARLEY_AUTH_JWT_SECRET", c.secret());
        pb.environment().putAll(c.serverEnv());
        pb.environment().putAll(env);
        // -Dparley.server.env=PARLEY_RATE_SEND=0,PARLEY_WS_CONNECT_RATE=0: settings for the server under test (the
        // generator's own PARLEY_* variables are not passed on).
        for (String kv : System.getProperty("parley.server.env", "").split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.startsWith("PARLEY_")) {
                pb.environment()
                        .put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        Process p = pb.start();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Path log = data.resolve("server.log");
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                            var w = Files.newBufferedWriter(log)) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            w.write(line);
                            w.newLine();
                            w.flush();
                            if (line.startsWith("Parley listening on ")) {
                                listening.complete(null);
                            }
                        }
                        listening.completeExceptionally(new IllegalStateException("server exited; see " + log));
                    } catch (IOException e) {
                        listening.completeExceptionally(e);
                    }
                },
                "bench-server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("server did not start; see " + log, e);
        }
        System.out.printf("server: pid %d on port %d, data and log in %s%n", p.pid(), port, data);
        return new ServerHandle("http://127.0.0.1:" + port, p.pid(), p, data);
    }

    String url() {
        return url;
    }

    long pid() {
        return pid;
    }

    /** Sends SIGTERM to a server we started (it drains and exits); does not wait. */
    void terminate() {
        if (process != null) {
            process.toHandle().destroy();
        }
    }

    /**
     * Waits for a server we started to exit after {@link #terminate()}, SIGKILL after 30 s, and returns how long it
     * took from {@code since} (nanoTime) in milliseconds (-1 when it had to be killed, 0 when not ours). Then its data
     * dir (database and log) is deleted, unless {@code keepData} (a run that lost anything, or keep.data=true): then
     * its path is printed.
     */
    long awaitStop(long since, boolean keepData) throws InterruptedException, IOException {
        if (process == null) {
            return 0;
        }
        long took;
        if (process.waitFor(30, TimeUnit.SECONDS)) {
            took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        } else {
            took = -1;
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        if (keepData) {
            System.out.println("server data and log kept in " + data);
            return took;
        }
        try (var paths = Files.walk(data)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return took;
    }
}
