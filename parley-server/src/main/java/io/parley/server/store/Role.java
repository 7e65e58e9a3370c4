package io.parley.server.store;

/** A member's role in a conversation. Direct conversations have two {@link #MEMBER}s. */
public enum Role {
    OWNER,
    ADMIN,
    MEMBER;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Role fromWire(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean canManageMembers() {
        return this == OWNER || this == ADMIN;
    }
}
