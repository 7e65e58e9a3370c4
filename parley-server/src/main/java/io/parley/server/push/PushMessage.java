package io.parley.server.push;

/**
 * One notification as it leaves the server, after the privacy level ({@code push.content}: none, sender, full) chose
 * what it may say. Providers put it on the wire as it is.
 *
 * @param conversationId the conversation it is about: the click opens it, and it is the collapse key (a later push
 *     of the same conversation replaces the earlier one on the device: Web Push {@code Topic}, FCM {@code tag} and
 *     {@code collapse_key}, APNs {@code apns-collapse-id} and {@code thread-id})
 * @param title what the notification says first ("New message", or the sender's name at level sender and above)
 * @param body the rest ("3 new messages", or the text at level full); may be empty
 * @param count how many unread messages it stands for (coalesced); 0 with {@code clear}
 * @param latestSeq the conversation's last seq it covers (a client ignores an older push than what it has read)
 * @param clear true: the user read the conversation elsewhere; remove what was shown for it (a silent push)
 * @param badge the user's unread total over all their conversations when the push was planned (the app icon's badge:
 *     APNs {@code aps.badge}, FCM {@code notification_count}, Web Push {@code badge}), counted up to {@link
 *     #BADGE_CAP}; a clear carries it too, so the badge drops when the user reads elsewhere
 */
public record PushMessage(
        String conversationId, String title, String body, int count, long latestSeq, boolean clear, int badge) {
    /**
     * The badge counts unread messages up to this many (a badge shows it for more): counting stops there, so a user
     * away for a month with thousands unread costs the planner no more than one with a thousand.
     */
    public static final int BADGE_CAP = 999;
}
