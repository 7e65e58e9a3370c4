package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main admin ...} in a child JVM (the tests' classpath), as an operator runs it: Main hands everything after
 * {@code admin} to the command line, and the JVM's exit status is the command's.
 */
class AdminProcessTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    private Run admin(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.parley.server.Main",
                "admin"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PARLEY_"));
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("admin " + String.join(" ", args) + " did not exit within 60 s");
        }
        return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String drain(InputStream s) {
        try (s) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            s.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void mainAdmin_runsTheCommand_andExitsWithItsStatus() throws Exception {
        Path config = dir.resolve("parley.properties");
        Files.writeString(config, "data.dir=" + dir.resolve("data") + "\nauth.bcrypt-cost=4\n");

        Run usage = admin("");
        Run verifyNothing = admin("", "verify", "--config", config.toString());
        Run created = admin("zoe-password\n", "create-user", "zoe", "--config", config.toString());
        Run verified = admin("", "verify", "--config", config.toString());

        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("usage: java -jar parley.jar admin <command>");
        assertThat(verifyNothing.status()).as(verifyNothing.err()).isEqualTo(1);
        assertThat(verifyNothing.err()).contains("no database at");
        assertThat(created.status()).as(created.err()).isZero();
        assertThat(created.out().trim()).matches("u_\\S+");
        assertThat(verified.status()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out()).contains("users 1").contains("OK");
        // stderr is no terminal here, so the log lines are JSON (log.format=auto), the admin action among them.
        assertThat(created.err().lines())
                .anyMatch(l -> l.contains("\"admin_action\"") && l.contains("create_user") && l.contains("zoe"));
    }
}
