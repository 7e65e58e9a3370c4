package io.parley.server.store;

import java.util.List;

/**
 * An entry as its commit hands it on ({@link CommitListener}): the entry, and who should receive it live, the
 * members at commit time (plus the removed member for member_removed). Recipients are a fact of the commit, not of
 * the log: an entry read back from the store has none.
 */
public record Committed(LogEntry entry, List<String> recipients) {
    public Committed {
        recipients = List.copyOf(recipients);
    }
}
