package io.parley.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections one generator process opens ({@link GeneratorWorker}), as the coordinator hands them over: the
 * nodes' URLs (a connection names its node by index) and, per user, what {@link Bench.Conn} needs. A text file, one
 * tab-separated record a line: {@code url <url>} lines, then {@code conn <user> <token> <node> <conversation>
 * <members> <online members>}. None of the fields holds a tab (bench user ids, JWTs, conversation ids, URLs).
 */
record Slice(List<String> urls, List<Entry> conns) {

    /** One user's connection. */
    record Entry(String user, String token, int node, String conversationId, int members, int onlineMembers) {}

    /** The connections of {@code conns}, online ones only (an offline member never connects). */
    static Slice of(List<String> urls, List<Bench.Conn> conns) {
        List<Entry> entries = new ArrayList<>();
        for (Bench.Conn x : conns) {
            if (!x.offline) {
                entries.add(new Entry(x.user, x.token, x.node, x.conversationId, x.members, x.onlineMembers));
            }
        }
        return new Slice(List.copyOf(urls), entries);
    }

    void write(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String u : urls) {
                w.write("url\t" + u);
                w.newLine();
            }
            for (Entry e : conns) {
                w.write(String.join(
                        "\t",
                        "conn",
                        e.user(),
                        e.token(),
                        Integer.toString(e.node()),
                        e.conversationId(),
                        Integer.toString(e.members()),
                        Integer.toString(e.onlineMembers())));
                w.newLine();
            }
        }
    }

    static Slice read(Path file) throws IOException {
        List<String> urls = new ArrayList<>();
        List<Entry> conns = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("\t", -1);
                if (f[0].equals("url") && f.length == 2) {
                    urls.add(f[1]);
                } else if (f[0].equals("conn") && f.length == 7) {
                    Entry e = new Entry(
                            f[1], f[2], Integer.parseInt(f[3]), f[4], Integer.parseInt(f[5]), Integer.parseInt(f[6]));
                    if (e.node() < 0 || e.node() >= urls.size()) {
                        throw new IOException(
                                file + ": " + e.user() + " names node " + e.node() + " of " + urls.size());
                    }
                    conns.add(e);
                } else {
                    throw new IOException(file + ": not a slice line: " + line);
                }
            }
        }
        return new Slice(urls, conns);
    }

    /**
     * Connection i to process i % k: groups are consecutive runs of users, so the members of one conversation land in
     * different processes (as many as there are processes) and most deliveries cross from one process to another.
     */
    static <T> List<List<T>> split(List<T> all, int k) {
        List<List<T>> out = new ArrayList<>();
        for (int p = 0; p < k; p++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < all.size(); i++) {
            out.get(i % k).add(all.get(i));
        }
        return out;
    }
}
