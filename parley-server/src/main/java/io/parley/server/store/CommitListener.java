package io.parley.server.store;

import java.util.List;

/**
 * Receives every committed event with its recipients, in commit order, after its transaction commits and before the
 * writer's future completes. Called from one store thread at a time; must not block (hand off to an event loop).
 */
@FunctionalInterface
public interface CommitListener {
    void committed(Committed commit);

    /**
     * The events one write committed, in commit order (a group's creation: conversation_created and a member_added per
     * member; adding members: one member_added each). A listener that can hand such a run on as one piece (the bus: one
     * publish with one recipient list for the run, not one per event) overrides this; by default each is
     * {@link #committed} in turn.
     */
    default void committedAll(List<Committed> commits) {
        for (Committed c : commits) {
            committed(c);
        }
    }

    CommitListener NONE = e -> {};
}
