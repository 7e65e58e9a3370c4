package io.parley.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A scenario: a properties file (parley-bench/scenarios/*.properties) plus key=value overrides on the command line.
 * Every key has a default; docs/performance.md lists them.
 */
public record BenchConfig(
        String name,
        String url,
        String secret,
        boolean startServer,
        String serverJar,
        String serverOptions,
        long serverPid,
        int users,
        int groupSize,
        double ratePerUser,
        double rateStep,
        int maxSteps,
        int warmupSeconds,
        int durationSeconds,
        int drainSeconds,
        int rampPerSecond,
        int bodyBytes,
        int bindAddresses,
        boolean tokenInUrl,
        String out,
        boolean keepData,
        int nodes,
        String storeUrl,
        String redisUrl,
        boolean stopWhileSending,
        double offlineFraction,
        boolean offlinePushDevices,
        int generatorProcesses,
        String generatorOptions,
        java.util.Map<String, String> serverEnv,
        java.util.List<String> args) {

    public static BenchConfig load(Path file, String... overrides) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("override must be key=value: " + o);
            }
            p.setProperty(o.substring(0, eq), o.substring(eq + 1));
        }
        String name = p.getProperty(
                "name", file == null ? "adhoc" : file.getFileName().toString().replace(".properties", ""));
        return new BenchConfig(
                name,
                p.getProperty("url", "http://127.0.0.1:8080"),
                p.getProperty("secret", "bench-secret-that-is-at-least-32-bytes!!"),
                Boolean.parseBoolean(p.getProperty("server.start", "true")),
                p.getProperty("server.jar", "parley-server/target/parley.jar"),
                p.getProperty("server.options", "-Xmx1g"),
                Long.parseLong(p.getProperty("server.pid", "0")),
                Integer.parseInt(p.getProperty("users", "200")),
                Integer.parseInt(p.getProperty("group.size", "10")),
                Double.parseDouble(p.getProperty("rate.per.user", "0.1")),
                Double.parseDouble(p.getProperty("rate.step", "0")),
                Integer.parseInt(p.getProperty("max.steps", "1")),
                Integer.parseInt(p.getProperty("warmup.seconds", "5")),
                Integer.parseInt(p.getProperty("duration.seconds", "10")),
                Integer.parseInt(p.getProperty("drain.seconds", "5")),
                Integer.parseInt(p.getProperty("ramp.per.second", "2000")),
                Integer.parseInt(p.getProperty("body.bytes", "64")),
                Integer.parseInt(p.getProperty("bind.addresses", "4")),
                "url".equals(p.getProperty("token.in", "frame")),
                p.getProperty("out", "parley-bench/results"),
                Boolean.parseBoolean(p.getProperty("keep.data", "false")),
                Integer.parseInt(p.getProperty("server.nodes", "1")),
                p.getProperty("store.url", ""),
                p.getProperty("redis.url", ""),
                Boolean.parseBoolean(p.getProperty("stop.while.sending", "false")),
                Double.parseDouble(p.getProperty("offline.fraction", "0")),
                Boolean.parseBoolean(p.getProperty("offline.push.devices", "false")),
                Integer.parseInt(p.getProperty("generator.processes", "1")),
                p.getProperty("generator.options", "-XX:+UseZGC -Xmx1g"),
                serverEnv(p),
                args(file, overrides));
    }

    /** The most generator processes a run may start (each is a JVM on the same machine). */
    static final int MAX_GENERATOR_PROCESSES = 16;

    /**
     * Checks the offline settings: {@code offline.fraction} in [0, 1) leaving a member of each group online, and
     * {@code offline.push.devices} only with someone offline; and {@code generator.processes} in 1..16.
     */
    public BenchConfig {
        int offline = Offline.perGroup(offlineFraction, groupSize);
        if (offlinePushDevices && offline == 0) {
            throw new IllegalArgumentException("offline.push.devices=true needs offline users: offline.fraction "
                    + offlineFraction + " takes nobody offline in groups of " + groupSize);
        }
        if (generatorProcesses < 1 || generatorProcesses > MAX_GENERATOR_PROCESSES) {
            throw new IllegalArgumentException(
                    "generator.processes must be 1.." + MAX_GENERATOR_PROCESSES + ": " + generatorProcesses);
        }
    }

    /**
     * The scenario file ("-" for none) and the overrides as given: a generator process ({@link GeneratorWorker}) loads
     * its configuration from the same.
     */
    private static java.util.List<String> args(Path file, String... overrides) {
        java.util.List<String> a = new java.util.ArrayList<>();
        a.add(file == null ? "-" : file.toString());
        a.addAll(java.util.List.of(overrides));
        return java.util.List.copyOf(a);
    }

    /**
     * {@code server.config.<key>=<value>}: a server setting for the started servers, as its PARLEY_ variable
     * ({@code server.config.search.indexing=false} is PARLEY_SEARCH_INDEXING=false).
     */
    private static java.util.Map<String, String> serverEnv(Properties p) {
        java.util.Map<String, String> env = new java.util.TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("server.config.")) {
                String key = k.substring("server.config.".length());
                env.put(
                        "PARLEY_"
                                + key.toUpperCase(java.util.Locale.ROOT)
                                        .replace('.', '_')
                                        .replace('-', '_'),
                        p.getProperty(k));
            }
        }
        return env;
    }

    /** The servers' base URLs when they are already running: {@code url}, comma-separated for several nodes. */
    public java.util.List<String> urls() {
        return java.util.List.of(url.split("\\s*,\\s*"));
    }

    /** Users are placed in groups of {@link #groupSize}; 2 means direct conversations (pairs). */
    public boolean directPairs() {
        return groupSize == 2;
    }

    /** Members of each conversation who never connect (see {@link Offline}). */
    public int offlinePerGroup() {
        return Offline.perGroup(offlineFraction, groupSize);
    }
}
