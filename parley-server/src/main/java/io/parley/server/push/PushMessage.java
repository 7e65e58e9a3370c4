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
 */
public record PushMessage(String conversationId, String title, String body, int count, long latestSeq, boolean clear) {}
