package io.parley.server.log;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Configures the process's logging (java.util.logging, under SLF4J) from {@code log.*}: one handler writing to stderr
 * in the chosen format, the root level, and a level per logger name. {@code Main} calls it once; nodes started in
 * process (tests, embedding) leave the JVM's logging as the host set it.
 */
public final class LogSetup {
    /**
     * java.util.logging keeps only weak references to loggers: a logger whose level was set but that nobody holds
     * yet would be collected and come back with no level. These are held for the life of the process.
     */
    private static final List<Logger> CONFIGURED = new ArrayList<>();

    private LogSetup() {}

    /**
     * Replaces every handler and level: lines go to {@code out} as {@code format} ({@code json}, {@code text}, or
     * {@code auto}: text when stderr is a terminal, JSON lines otherwise), {@code rootLevel} for every logger without
     * a level of its own, {@code levels} by logger name (the name of a package covers everything under it). Level
     * names: off, error, warn, info, debug, trace. Returns the format chosen, {@code json} or {@code text}.
     */
    public static synchronized String install(
            String format, String rootLevel, Map<String, String> levels, OutputStream out) {
        String chosen = format.equals("auto") ? (stderrIsTerminal() ? "text" : "json") : format;
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Lines.julLevel(rootLevel));
        root.addHandler(new LineWriter(out, chosen.equals("json") ? new JsonFormatter() : new TextFormatter()));
        CONFIGURED.clear();
        CONFIGURED.add(root);
        levels.forEach((name, level) -> {
            Logger l = Logger.getLogger(name);
            l.setLevel(Lines.julLevel(level));
            CONFIGURED.add(l);
        });
        return chosen;
    }

    /**
     * Whether stderr is a terminal. On Linux, where file descriptor 2 points (a pseudo-terminal or a console); where
     * /proc is missing, whether the JVM has a console (stdin and stdout on a terminal). Set {@code log.format} when
     * the guess is wrong.
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return hasConsole();
    }

    /**
     * Before Java 22 a console exists only when stdin and stdout are a terminal; from 22 on it always exists and
     * {@code isTerminal()} (not in Java 17's API, hence reflection) says so.
     */
    @SuppressWarnings("SystemConsoleNull") // both cases are handled: null before 22, isTerminal from 22
    private static boolean hasConsole() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
