package io.parley.server.store;

/**
 * The kind-specific fields of a {@link LogEntry} as nullable values, for assertions over entries of mixed kinds
 * ({@code extracting(Entries::memberId)}): null where the entry's kind has no such field, as the wire frame has.
 */
public final class Entries {
    private Entries() {}

    public static String messageId(LogEntry e) {
        if (e instanceof LogEntry.MessagePosted m) {
            return m.messageId();
        }
        if (e instanceof LogEntry.MessageEdited m) {
            return m.messageId();
        }
        if (e instanceof LogEntry.MessageDeleted m) {
            return m.messageId();
        }
        if (e instanceof LogEntry.ReactionAdded r) {
            return r.messageId();
        }
        return e instanceof LogEntry.ReactionRemoved r ? r.messageId() : null;
    }

    public static String clientMsgId(LogEntry e) {
        return e instanceof LogEntry.MessagePosted m ? m.clientMsgId() : null;
    }

    public static String body(LogEntry e) {
        if (e instanceof LogEntry.MessagePosted m) {
            return m.body();
        }
        return e instanceof LogEntry.MessageEdited m ? m.body() : null;
    }

    public static boolean deleted(LogEntry e) {
        if (e instanceof LogEntry.MessagePosted m) {
            return m.deleted();
        }
        return e instanceof LogEntry.MessageEdited m && m.deleted();
    }

    public static String memberId(LogEntry e) {
        if (e instanceof LogEntry.MemberAdded m) {
            return m.memberId();
        }
        if (e instanceof LogEntry.MemberRemoved m) {
            return m.memberId();
        }
        return e instanceof LogEntry.RoleChanged m ? m.memberId() : null;
    }

    public static Role role(LogEntry e) {
        if (e instanceof LogEntry.MemberAdded m) {
            return m.role();
        }
        return e instanceof LogEntry.RoleChanged m ? m.role() : null;
    }

    public static String title(LogEntry e) {
        return e instanceof LogEntry.ConversationCreated c ? c.title() : null;
    }
}
