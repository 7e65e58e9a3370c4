package io.parley.client;

import io.parley.protocol.ServerFrame;
import java.util.Map;

/**
 * Callbacks of a {@link ParleyClient}. All run on the client's own thread, one at a time, in order: do not block in
 * them (hand work to your own executor).
 */
public interface ParleyListener {
    /** A conversation event, exactly once per (conversation, seq), in seq order per conversation. */
    default void onEvent(ServerFrame.Event event) {}

    /** Caught up after a (re)connect: what follows is live. {@code lastSeqs} per conversation. */
    default void onSynced(Map<String, Long> lastSeqs) {}

    default void onStateChanged(ConnectionState state) {}

    /**
     * An outbox message moved to SENT, FAILED, UNCONFIRMED, HELD (waiting for review) or REJECTED (by a server admin).
     */
    default void onMessageStateChanged(OutgoingMessage message) {}

    /** A server error not tied to an outbox message. */
    default void onError(ServerFrame.Error error) {}

    /** The server refused the token (4001) and the token supplier offered no new one; the client stopped. */
    default void onAuthFailed(String reason) {}

    /** Receipt cursors of members of a conversation moved (including this user's, from another device). */
    default void onReceipts(ServerFrame.Receipts receipts) {}

    /** Someone started ({@code active}) or stopped typing; a start expires by itself after {@code ttlMs}. */
    default void onTyping(ServerFrame.Typing typing) {}

    /** A batch of presence changes of users sharing a conversation with this user. */
    default void onPresence(java.util.List<ServerFrame.PresenceEntry> changes) {}

    /**
     * Talk to a stranger: a {@code match} frame ({@code waiting}, {@code matched}, {@code partner_left}, ...; see
     * docs/protocol.md, Matching), the answers to this client's own match requests included.
     */
    default void onMatch(ServerFrame.Match match) {}

    /**
     * A {@code held} frame: a message of this user is in the moderation queue ({@code held}), or a server admin
     * approved or rejected it (docs/protocol.md, "Held messages"); the user's other sessions get the decisions too.
     * For a message of this client's outbox, {@link #onMessageStateChanged} comes first with its new state (HELD:
     * not re-sent any more; SENT with the seq: approved; REJECTED), matched by clientMsgId.
     */
    default void onHeld(ServerFrame.Held held) {}

    /** A socket closed (code 1006 when it was lost without a close frame); the client reconnects unless CLOSED. */
    default void onClosed(int code, String reason) {}
}
