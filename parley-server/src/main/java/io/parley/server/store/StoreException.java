package io.parley.server.store;

/** Expected failures of {@link ChatStore} operations. Anything else means the store is unavailable. */
public abstract class StoreException extends RuntimeException {
    protected StoreException(String message) {
        super(message, null, false, false);
    }

    /** The conversation, user or membership does not exist (or is not visible to the caller). */
    public static class NotFound extends StoreException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** No such message in the conversation, or it was deleted (for edits, reactions and replies). */
    public static final class MessageNotFound extends NotFound {
        public MessageNotFound(String message) {
            super(message);
        }
    }

    /** The actor may not do this to this message (edit someone else's, delete without being owner or admin). */
    public static final class Forbidden extends StoreException {
        public Forbidden(String message) {
            super(message);
        }
    }

    /** The message's edit window has passed. */
    public static final class EditWindowClosed extends StoreException {
        public EditWindowClosed(String message) {
            super(message);
        }
    }

    /** A user named in the request does not exist (a {@link NotFound} that names a user, not a conversation). */
    public static final class UnknownUser extends NotFound {
        public UnknownUser(String message) {
            super(message);
        }
    }

    /** A unique value is taken (e.g. a username). */
    public static final class Conflict extends StoreException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** The store is closed. */
    public static final class Closed extends StoreException {
        public Closed() {
            super("store is closed");
        }
    }
}
