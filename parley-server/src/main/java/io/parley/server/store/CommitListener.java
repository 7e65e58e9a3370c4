package io.parley.server.store;

/**
 * Receives every committed event with its recipients, in commit order, after its transaction commits and before the
 * writer's future completes. Called from one store thread at a time; must not block (hand off to an event loop).
 */
@FunctionalInterface
public interface CommitListener {
    void committed(Committed commit);

    CommitListener NONE = e -> {};
}
