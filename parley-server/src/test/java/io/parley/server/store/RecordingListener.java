package io.parley.server.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a store publishes (entries and their recipients), and whether it was ever called from two threads at once. */
final class RecordingListener implements CommitListener {

    private final ConcurrentLinkedQueue<LogEntry> events = new ConcurrentLinkedQueue<>();
    private final Map<String, List<String>> recipients = new ConcurrentHashMap<>();
    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean overlapped;

    @Override
    public void committed(Committed commit) {
        if (inside.incrementAndGet() > 1) {
            overlapped = true;
        }
        events.add(commit.entry());
        recipients.put(key(commit.entry()), commit.recipients());
        inside.decrementAndGet();
    }

    /** The sizes of the runs handed to {@link #committedAll}, and whether each run shared one recipient list. */
    private final ConcurrentLinkedQueue<String> runs = new ConcurrentLinkedQueue<>();

    @Override
    public void committedAll(List<Committed> commits) {
        boolean shared =
                commits.stream().allMatch(c -> c.recipients() == commits.get(0).recipients());
        runs.add(commits.get(0).entry().conversationId() + ":" + commits.size() + (shared ? ":shared" : ":own"));
        CommitListener.super.committedAll(commits);
    }

    /** Each run handed on as one: "conversation:events:shared" (one recipient list object) or ":own". */
    List<String> runs() {
        return List.copyOf(runs);
    }

    boolean saw(LogEntry event) {
        return recipients.containsKey(key(event));
    }

    /** The recipients the commit of this entry was published with; fails when it was not published. */
    List<String> recipientsOf(LogEntry event) {
        List<String> r = recipients.get(key(event));
        if (r == null) {
            throw new AssertionError("not published: " + event);
        }
        return r;
    }

    List<LogEntry> events() {
        return List.copyOf(events);
    }

    List<LogEntry> eventsOf(String conversationId) {
        return events.stream()
                .filter(e -> e.conversationId().equals(conversationId))
                .toList();
    }

    boolean overlapped() {
        return overlapped;
    }

    private static String key(LogEntry e) {
        return e.conversationId() + "\n" + e.seq();
    }
}
