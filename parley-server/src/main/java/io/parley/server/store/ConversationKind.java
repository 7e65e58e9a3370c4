package io.parley.server.store;

public enum ConversationKind {
    DIRECT,
    GROUP;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ConversationKind fromWire(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
