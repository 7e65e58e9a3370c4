package io.parley.server.store;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a store publishes, and whether it was ever called from two threads at once. */
final class RecordingListener implements CommitListener {

    private final ConcurrentLinkedQueue<LogEvent> events = new ConcurrentLinkedQueue<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean overlapped;

    @Override
    public void committed(LogEvent event) {
        if (inside.incrementAndGet() > 1) {
            overlapped = true;
        }
        events.add(event);
        seen.add(key(event));
        inside.decrementAndGet();
    }

    boolean saw(LogEvent event) {
        return seen.contains(key(event));
    }

    List<LogEvent> events() {
        return List.copyOf(events);
    }

    List<LogEvent> eventsOf(String conversationId) {
        return events.stream().filter(e -> e.conversationId().equals(conversationId)).toList();
    }

    boolean overlapped() {
        return overlapped;
    }

    private static String key(LogEvent e) {
        return e.conversationId() + "\n" + e.seq();
    }
}
