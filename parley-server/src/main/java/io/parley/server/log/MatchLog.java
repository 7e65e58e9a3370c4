package io.parley.server.log;

/**
 * Talk to a stranger's audit trail, at info on {@code io.parley.match}: one {@code match_report} line per report
 * with {@code reporter} and {@code reported} (user ids: operators see who, the users never do), {@code conversation},
 * {@code reason} and {@code messages}, the pair's recent messages as "seq sender: body" lines, oldest first. The same report
 * goes to the moderation queue (docs/api.md, "The moderation queue").
 */
public final class MatchLog {
    private static final Log LOG = Log.named("io.parley.match");

    private MatchLog() {}

    public static void report(
            String reporter, String reported, String conversationId, String reason, java.util.List<String> messages) {
        LOG.info(
                "match_report",
                "reporter",
                reporter,
                "reported",
                reported,
                "conversation",
                conversationId,
                "reason",
                reason == null ? "" : reason,
                "messages",
                String.join("\n", messages));
    }
}
