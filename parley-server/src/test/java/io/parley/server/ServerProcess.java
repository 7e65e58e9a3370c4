package io.parley.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Parley's {@code Main} in a child JVM (the same classpath as the tests), as an operator would run it: its own
 * working directory, configuration from PARLEY_* environment variables only.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final CompletableFuture<String> listening = new CompletableFuture<>();
    private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();

    @SuppressWarnings("JdkObsolete") // appended by the output reader thread, read by the test thread
    final StringBuffer output = new StringBuffer();

    private ServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            output.append(line).append('\n');
                            if (line.startsWith("Parley listening on ")) {
                                listening.complete(line);
                            }
                        }
                        listening.completeExceptionally(
                                new IllegalStateException("server exited before listening:\n" + output));
                    } catch (IOException e) {
                        listening.completeExceptionally(e);
                    } finally {
                        outputEnded.complete(null);
                    }
                },
                "server-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ServerProcess start(Path workDir, Map<String, String> env) throws Exception {
        ServerProcess p = launch(workDir, env);
        try {
            p.listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.process.destroyForcibly();
            throw new IllegalStateException("server process did not start; output:\n" + p.output, e);
        }
        return p;
    }

    /** How a process that refused to start ended: its exit code and everything it printed (stdout and stderr). */
    record Refusal(int exitCode, String output) {}

    /**
     * Runs Main expecting it to refuse to start, and returns how it ended. A process that starts listening instead
     * is killed and fails the test.
     */
    static Refusal startRefused(Path workDir, Map<String, String> env) throws Exception {
        ServerProcess p = launch(workDir, env);
        try {
            if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the server neither exited nor was refused within 60 s; output:\n" + p.output);
            }
            p.outputEnded.get(10, TimeUnit.SECONDS);
            if (p.listening.isDone() && !p.listening.isCompletedExceptionally()) {
                throw new AssertionError("the server started instead of refusing; output:\n" + p.output);
            }
            return new Refusal(p.process.exitValue(), p.output.toString());
        } finally {
            p.close();
        }
    }

    private static ServerProcess launch(Path workDir, Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.parley.server.Main")
                .directory(workDir.toFile())
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PARLEY_"));
        // Rate limits and admission off unless the test sets them, as in TestServer: these tests send bursts.
        for (String key : io.parley.server.config.ConfigLoader.DEFAULTS.keySet()) {
            if (key.startsWith("rate.") || key.equals("ws.connect-rate")) {
                pb.environment().put(io.parley.server.config.ConfigLoader.envName(key), "0");
            }
        }
        pb.environment().putAll(env);
        return new ServerProcess(pb.start());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The port from the "Parley listening on http://host:port" line. */
    int port() {
        String line = listening.join();
        return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush; only what was committed survives. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM: the graceful path. True when the server said it stopped cleanly (the JVM's exit code after a signal
     * is 143 whatever the hooks did, so the code alone says nothing).
     */
    boolean terminate() throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of its output pipe.
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("server did not stop on SIGTERM");
        }
        try {
            outputEnded.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("server output did not end", e);
        }
        return output.toString().contains("Parley stopped");
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
