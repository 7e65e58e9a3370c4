package io.parley.server.store;

/**
 * Result of {@link ChatStore#appendMessage}: the stored event, and whether it was stored by an earlier call. A send
 * that the moderation queue held instead ({@link ModerationStore#hold}) has {@code held} set and no {@code event}:
 * the message is in no log (yet).
 */
public record Appended(LogEntry.MessagePosted event, boolean duplicate, ModerationStore.QueueItem held) {
    public Appended(LogEntry.MessagePosted event, boolean duplicate) {
        this(event, duplicate, null);
    }

    /** A send held for review ({@code duplicate}: held by an earlier call with the same clientMsgId). */
    public static Appended held(ModerationStore.QueueItem item, boolean duplicate) {
        return new Appended(null, duplicate, item);
    }

    public boolean isHeld() {
        return held != null;
    }
}
