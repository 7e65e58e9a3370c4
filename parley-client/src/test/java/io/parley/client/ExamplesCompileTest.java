package io.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The programs under {@code parley-client/examples} are not part of the build, so this compiles them against the
 * SDK as it is now (with the build's warnings as errors): an API change that breaks an example fails here.
 */
class ExamplesCompileTest {
    @Test
    void examples_compileAgainstTheSdk(@TempDir Path out) throws IOException {
        List<String> sources;
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            sources = files.filter(p -> p.toString().endsWith(".java"))
                    .map(Path::toString)
                    .sorted()
                    .collect(Collectors.toList());
        }
        assertThat(sources).isNotEmpty();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of(
                "-Xlint:all",
                "-Werror",
                "--release",
                "17",
                "-cp",
                System.getProperty("java.class.path"),
                "-d",
                out.toString()));
        args.addAll(sources);
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertThat(rc)
                .as("javac on %s: %s", sources, diagnostics.toString(StandardCharsets.UTF_8))
                .isZero();
    }
}
