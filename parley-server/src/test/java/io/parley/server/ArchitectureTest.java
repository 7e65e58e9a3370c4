package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package ladder of docs/architecture.md, checked on the sources: a package may import only packages on lower
 * rungs, so there can be no cycle. It reads source text rather than bytecode so that it also sees a fully qualified
 * name used without an import (config once called store.jdbc that way) and needs no library; comments and string
 * literals are blanked first, so a name in a javadoc or a log message is not a dependency.
 */
class ArchitectureTest {
    private static final String ROOT = "io.parley.server";

    /**
     * The rungs, top first. Same rung: independent of each other. Adding a package means giving it a rung here and in
     * docs/architecture.md, and a package-info.java that says what lives there.
     */
    static final List<Set<String>> LADDER = List.of(
            Set.of(ROOT), // composition: Main, ParleyServer
            Set.of("admin"), // the operator's command line (Main dispatches to it)
            Set.of("api", "gateway", "redis", "store.jdbc", "s3", "clamd"), // faces (REST, WebSocket) and adapters
            Set.of("moderation"), // server admins, bans, mutes and reports: above the domain rules it checks
            Set.of("chat", "attach", "stranger"), // the domain rules; attachments; talk to a stranger's service
            Set.of(
                    "presence",
                    "bus",
                    "auth",
                    "wire",
                    "push",
                    "limits",
                    "blob",
                    "scan",
                    "match",
                    "tls",
                    "search"), // capabilities
            Set.of("store"), // the store seam and its records
            Set.of("config", "time", "metrics", "log")); // ground floor: imports nothing of the server

    /** A name of a class in io.parley.*: the package is everything before the first capitalised segment. */
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.parley(?:\\.[a-z_][a-z0-9_]*)*(?=\\.[A-Z*])");

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    record Use(String from, String to, Path file, int line) {
        @Override
        public String toString() {
            return from + " -> " + to + " (" + file + ":" + line + ")";
        }
    }

    @Test
    void serverPackages_importOnlyLowerRungs() {
        Map<String, Integer> rung = rungs();
        List<String> problems = new ArrayList<>();
        for (Use u : uses(Path.of("src/main/java"))) {
            if (!u.to().startsWith(ROOT)) {
                if (!u.to().equals("io.parley.protocol")) {
                    problems.add(u + ": the server may use the protocol module, not " + u.to());
                }
                continue;
            }
            String from = local(u.from());
            String to = local(u.to());
            if (!rung.containsKey(from) || !rung.containsKey(to)) {
                problems.add(u + ": " + (rung.containsKey(from) ? to : from) + " has no rung on the ladder "
                        + "(ArchitectureTest.LADDER, docs/architecture.md)");
            } else if (rung.get(to) >= rung.get(from)) {
                problems.add(u + " is forbidden: " + from + " is on rung " + rung.get(from) + " and may import only "
                        + "rungs below it: " + below(rung.get(from)));
            }
        }
        assertThat(problems).as("imports the package ladder forbids").isEmpty();
    }

    @Test
    void serverPackages_formNoCycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        Map<String, Use> example = new HashMap<>();
        for (Use u : uses(Path.of("src/main/java"))) {
            graph.computeIfAbsent(u.from(), k -> new TreeSet<>()).add(u.to());
            example.putIfAbsent(u.from() + ">" + u.to(), u);
        }
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.size() > 1) {
                List<Use> ties = new ArrayList<>();
                for (String a : component) {
                    for (String b : graph.getOrDefault(a, Set.of())) {
                        if (component.contains(b)) {
                            ties.add(example.get(a + ">" + b));
                        }
                    }
                }
                cycles.add(component + " tied by " + ties);
            }
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    @Test
    void everyServerPackage_hasAPackageInfo_andARung() throws IOException {
        Map<String, Integer> rung = rungs();
        Path src = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(src)) {
            Set<Path> dirs = files.filter(f -> f.toString().endsWith(".java"))
                    .map(Path::getParent)
                    .collect(Collectors.toCollection(TreeSet::new));
            for (Path dir : dirs) {
                String pkg = src.relativize(dir)
                        .toString()
                        .replace(dir.getFileSystem().getSeparator(), ".");
                assertThat(dir.resolve("package-info.java"))
                        .as("package-info of " + pkg)
                        .exists();
                assertThat(rung).as("rung of " + pkg).containsKey(local(pkg));
            }
        }
    }

    /** The protocol module stands alone; the client SDK knows the protocol, never the server. */
    @Test
    void protocolAndClient_neverImportTheServer() {
        assertThat(uses(Path.of("../parley-protocol/src/main/java")))
                .as("protocol's uses of other modules")
                .filteredOn(u -> !u.to().startsWith("io.parley.protocol"))
                .isEmpty();
        assertThat(uses(Path.of("../parley-client/src/main/java")))
                .as("client's uses of other modules")
                .filteredOn(u -> !u.to().startsWith("io.parley.protocol") && !u.to().startsWith("io.parley.client"))
                .isEmpty();
    }

    // ---- scanning -------------------------------------------------------------------------------------------------

    private static Map<String, Integer> rungs() {
        Map<String, Integer> rung = new HashMap<>();
        for (int i = 0; i < LADDER.size(); i++) {
            for (String p : LADDER.get(i)) {
                rung.put(p, LADDER.size() - i);
            }
        }
        return rung;
    }

    private static String below(int level) {
        List<String> out = new ArrayList<>();
        for (int i = LADDER.size() - level + 1; i < LADDER.size(); i++) {
            out.addAll(new TreeSet<>(LADDER.get(i)));
        }
        out.add("io.parley.protocol");
        return String.join(", ", out);
    }

    private static String local(String pkg) {
        return pkg.equals(ROOT) ? ROOT : pkg.substring(ROOT.length() + 1);
    }

    /** Every reference from a package to another io.parley package, one per file and target. */
    static List<Use> uses(Path src) {
        List<Use> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String code = blankCommentsAndStrings(Files.readString(f));
                Matcher pm = PACKAGE.matcher(code);
                if (!pm.find()) {
                    continue;
                }
                String from = pm.group(1);
                Set<String> seen = new TreeSet<>();
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String to = m.group();
                    if (!to.equals(from) && seen.add(to)) {
                        out.add(new Use(from, to, src.relativize(f), lineOf(code, m.start())));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static int lineOf(String code, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (code.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** Replaces comments and string, text-block and char literals by spaces, keeping line breaks (for line numbers). */
    static String blankCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int end;
            if (s.startsWith("//", i)) {
                end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
            } else if (s.startsWith("/*", i)) {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end + 3;
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char q = s.charAt(i);
                end = i + 1;
                while (end < s.length() && s.charAt(end) != q && s.charAt(end) != '\n') {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, s.length());
            } else {
                out.append(s.charAt(i++));
                continue;
            }
            for (int k = i; k < end; k++) {
                out.append(s.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }

    /** Tarjan's algorithm: the strongly connected components of the package graph. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private static void connect(
            String v,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }
}
