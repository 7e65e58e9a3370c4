package io.parley.server.admin;

import io.parley.server.store.LogEntry;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.wire.RestShapes;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * export: a conversation's log as JSON lines, one event per line in the shape REST answers with (docs/api.md), in
 * seq order. Read in pages from the store's log, which only grows: an export taken while the server runs ends at the
 * last event committed when its last page was read. With {@code --out} the file appears whole or not at all.
 */
final class Export {
    static final int PAGE = 500;

    private Export() {}

    static void run(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(1, "one conversation id");
        String conversationId = ctx.args().operands().get(0);
        String out = ctx.args().option("out");
        try (JdbcChatStore store = Stores.open(ctx.config(), false)) {
            if (Stores.await(store.eventsAfter(conversationId, 0, 1)).isEmpty()) {
                // Every conversation's log starts with conversation_created at seq 1.
                throw new Admin.Failure("no conversation '" + conversationId + "'");
            }
            long count;
            if (out == null) {
                count = write(store, conversationId, ctx.out());
                ctx.out().flush();
            } else {
                Path target = Path.of(out);
                Path partial = target.resolveSibling(target.getFileName() + ".partial");
                try (OutputStream file = Files.newOutputStream(partial)) {
                    count = write(store, conversationId, file);
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            Admin.log("export", conversationId, "events", count, "to", out == null ? "stdout" : out);
            if (out != null) {
                ctx.out().println(count + " event(s) of " + conversationId + " written to " + out);
            }
        }
    }

    private static long write(JdbcChatStore store, String conversationId, OutputStream sink) throws Exception {
        Writer w = new BufferedWriter(new OutputStreamWriter(sink, StandardCharsets.UTF_8));
        long after = 0;
        long count = 0;
        while (true) {
            List<LogEntry> page = Stores.await(store.eventsAfter(conversationId, after, PAGE));
            for (LogEntry e : page) {
                w.write(RestShapes.event(e).encode());
                w.write('\n');
                after = e.seq();
                count++;
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        // Flushed, not closed: closing would close stdout too; the caller closes a file.
        w.flush();
        return count;
    }
}
