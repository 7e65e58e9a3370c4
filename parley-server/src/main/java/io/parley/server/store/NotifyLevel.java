package io.parley.server.store;

/**
 * What a member wants to be notified of in one conversation when none of their devices is there (docs/api.md,
 * "Notifications"): every message, only mentions of them ({@code @username}), or nothing. A member who chose nothing
 * has the default of the conversation's kind: {@link #ALL} in a direct conversation, {@link #MENTIONS} in a group.
 */
public enum NotifyLevel {
    ALL("all"),
    MENTIONS("mentions"),
    NONE("none");

    private final String wire;

    NotifyLevel(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The level of this wire name, or null (also for {@code "default"}, which is the absence of a choice). */
    public static NotifyLevel of(String wire) {
        for (NotifyLevel l : values()) {
            if (l.wire.equals(wire)) {
                return l;
            }
        }
        return null;
    }

    /** The level in force: the member's choice, or the default of the conversation's kind when {@code chosen} is null. */
    public static NotifyLevel effective(NotifyLevel chosen, ConversationKind kind) {
        if (chosen != null) {
            return chosen;
        }
        return kind == ConversationKind.DIRECT ? ALL : MENTIONS;
    }
}
