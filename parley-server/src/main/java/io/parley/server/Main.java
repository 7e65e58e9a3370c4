package io.parley.server;

import io.parley.server.admin.Admin;
import io.parley.server.config.Config;
import io.parley.server.config.ConfigException;
import io.parley.server.config.ConfigLoader;
import io.parley.server.log.LogSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Command line entry point: {@code java -jar parley.jar [--config parley.properties]} runs the server;
 * {@code java -jar parley.jar admin <command> ...} runs one operator command ({@link Admin}) and exits with its status. Without a config file (and
 * without ./parley.properties) the defaults run the embedded node on 127.0.0.1:8080 with data under ./data.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("admin")) {
            int status = Admin.run(
                    java.util.Arrays.asList(args).subList(1, args.length),
                    System.in,
                    System.out,
                    System.err,
                    System.getenv(),
                    config -> LogSetup.install(
                            config.log().format().name().toLowerCase(Locale.ROOT),
                            config.log().level(),
                            config.log().levels(),
                            System.err));
            // The log lines are written by a daemon thread: let it write what is queued before the JVM ends.
            for (java.util.logging.Handler h :
                    java.util.logging.Logger.getLogger("").getHandlers()) {
                h.close();
            }
            System.exit(status);
            return;
        }
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--config") || args[i].equals("-c")) && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(
                        "usage: java -jar parley.jar [--config FILE]\n"
                                + "       java -jar parley.jar admin <command> [options] (admin --help lists them)\n"
                                + "Settings: FILE (Java properties), then PARLEY_* environment variables; see docs/operations.md.");
                return;
            } else {
                System.err.println("unknown argument: " + args[i] + " (try --help)");
                System.exit(2);
            }
        }
        if (file == null && System.getenv("PARLEY_CONFIG") != null) {
            file = Path.of(System.getenv("PARLEY_CONFIG"));
        }
        if (file == null && Files.exists(Path.of("parley.properties"))) {
            file = Path.of("parley.properties");
        }
        Config config;
        try {
            config = ConfigLoader.load(file, System.getenv());
        } catch (ConfigException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
            return;
        }
        LogSetup.install(
                config.log().format().name().toLowerCase(Locale.ROOT),
                config.log().level(),
                config.log().levels(),
                System.err);
        ParleyServer server;
        try {
            server = ParleyServer.start(config)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("parley: failed to start: " + cause.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("Parley listening on http://" + config.http().host() + ":" + server.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                server.stop().get(30, TimeUnit.SECONDS);
                                System.out.println("Parley stopped");
                            } catch (Exception e) {
                                System.err.println("parley: unclean stop: " + e);
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "parley-shutdown"));
        stopped.await();
    }
}
