package io.parley.server.admin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs admin commands in process through {@link Admin#run} (what {@code Main} calls for {@code admin ...}), against a
 * configuration file of the test's own, as an operator's {@code --config} would be; no PARLEY_* variables.
 */
public final class AdminRun {
    /** What a command did: its exit status and what it printed. */
    public record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path configFile;

    /** Writes {@code settings} (server configuration keys) to a properties file under {@code dir}. */
    public AdminRun(Path dir, Map<String, String> settings) {
        this.configFile = dir.resolve("admin-" + System.nanoTime() + ".properties");
        StringBuilder b = new StringBuilder();
        settings.forEach((k, v) ->
                b.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        try {
            Files.writeString(configFile, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path configFile() {
        return configFile;
    }

    public Result run(String... args) {
        return runWithInput("", args);
    }

    /** Runs {@code admin args... --config FILE} with {@code stdin} as its standard input. */
    public Result runWithInput(String stdin, String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.add("--config");
        argv.add(configFile.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Admin.run(argv, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e, Map.of());
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
