package io.parley.server.push;

import io.parley.server.config.Config;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.PushDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The decision (docs/api.md, "Notifications"): turns one touched conversation into its round's {@link
 * PushStore.Plan}. A member is owed a push when a message by someone else above all of their delivered, pushed and
 * read cursors is older than {@code push.grace} (none of their devices received it in time), their level in force
 * lets it through ({@code none}: never; {@code mentions}: only when one of those messages says {@code @username}),
 * they are not in do-not-disturb, and their last push of this conversation is older than {@code
 * push.coalesce-window}. One push per member stands for everything owed ("3 new messages"); a member whose last push
 * is on their devices and who has read past it gets a {@code clear}. Every push and clear carries the member's
 * unread total over all their conversations as its badge ({@link PushStore#unreadTotal}). What a member is not owed
 * now but will be (a message still in its grace window, a coalescing window still open) asks for a later round.
 *
 * <p>Runs on the push workers' thread; blocks on the store's reads.
 */
final class PushPlanner {
    private static final long READ_TIMEOUT_SECONDS = 30;

    private final PushStore store;
    private final Config.Push config;

    PushPlanner(PushStore store, Config.Push config) {
        this.store = store;
        this.config = config;
    }

    PushStore.Plan plan(PushStore.Touched t, long now) throws Exception {
        Optional<PushStore.Audience> found = get(store.audience(t.conversationId()));
        List<PushStore.NewJob> jobs = new ArrayList<>();
        List<PushStore.Cursor> cursors = new ArrayList<>();
        long notBefore = 0;
        if (found.isEmpty()) {
            return new PushStore.Plan(t.conversationId(), t.touches(), now, jobs, cursors, 0);
        }
        PushStore.Audience a = found.get();
        long grace = config.grace().toMillis();
        for (PushStore.Recipient r : a.recipients()) {
            if (r.shown() && r.readSeq() >= r.pushedSeq()) {
                List<PushDevice> devices = get(store.devices(r.userId()));
                if (!devices.isEmpty()) {
                    PushMessage clear =
                            new PushMessage(t.conversationId(), "", "", 0, r.readSeq(), true, badge(r.userId()));
                    for (PushDevice d : devices) {
                        jobs.add(new PushStore.NewJob(d.id(), r.userId(), clear, now, now));
                    }
                }
                cursors.add(new PushStore.Cursor(r.userId(), r.pushedSeq(), r.pushedAt(), false));
            }
            long after = Math.max(r.deliveredSeq(), Math.max(r.pushedSeq(), r.readSeq()));
            NotifyLevel level = NotifyLevel.effective(r.chosen(), a.kind());
            if (after >= a.lastSeq() || level == NotifyLevel.NONE) {
                continue;
            }
            if (r.dndUntil() != null && r.dndUntil() > now) {
                continue;
            }
            long windowEnds = r.pushedAt() + config.coalesceWindow().toMillis();
            if (r.pushedAt() > 0 && windowEnds > now) {
                notBefore = earliest(notBefore, windowEnds);
                continue;
            }
            PushStore.Owed owed = get(store.owed(t.conversationId(), r, after));
            if (owed.latest() == null) {
                continue;
            }
            if (owed.firstAt() + grace > now) {
                // Still inside its grace window: a device of theirs may yet receive it.
                notBefore = earliest(notBefore, owed.firstAt() + grace);
                continue;
            }
            long count = owed.unread();
            if (level == NotifyLevel.MENTIONS) {
                count = mentions(owed.mentionCandidates(), r.username());
                if (count == 0) {
                    continue;
                }
            }
            List<PushDevice> devices = get(store.devices(r.userId()));
            if (devices.isEmpty()) {
                continue;
            }
            PushMessage m = message(
                    t.conversationId(),
                    a.kind(),
                    owed.latest(),
                    (int) Math.max(1, count),
                    a.lastSeq(),
                    badge(r.userId()));
            for (PushDevice d : devices) {
                jobs.add(new PushStore.NewJob(d.id(), r.userId(), m, owed.firstAt(), now));
            }
            cursors.add(new PushStore.Cursor(r.userId(), a.lastSeq(), now, true));
        }
        return new PushStore.Plan(t.conversationId(), t.touches(), now, jobs, cursors, notBefore);
    }

    /**
     * The badge: the user's unread total, read when their push is planned (one bounded count, only for a member who
     * gets a push or a clear in this round).
     */
    private int badge(String userId) throws Exception {
        return get(store.unreadTotal(userId, PushMessage.BADGE_CAP));
    }

    /** What the notification says at the configured privacy level ({@code push.content}). */
    PushMessage message(
            String conversationId, ConversationKind kind, PushStore.Latest latest, int count, long seq, int badge) {
        String many = count == 1 ? "New message" : count + " new messages";
        return switch (config.content()) {
            case NONE -> new PushMessage(conversationId, many, "", count, seq, false, badge);
            case SENDER -> new PushMessage(conversationId, latest.sender(), many, count, seq, false, badge);
            case FULL ->
                new PushMessage(
                        conversationId,
                        latest.sender(),
                        count == 1 ? text(latest.text()) : count + " new messages: " + text(latest.text()),
                        count,
                        seq,
                        false,
                        badge);
        };
    }

    /** The text at level full, cut to fit a push comfortably (every provider allows 4 KB for all of it). */
    static String text(String body) {
        if (body == null) {
            return "";
        }
        return body.codePointCount(0, body.length()) <= 200
                ? body
                : body.substring(0, body.offsetByCodePoints(0, 200)) + "…";
    }

    /** How many texts mention {@code @username}: case-insensitive, not inside a longer word or address. */
    static int mentions(List<String> texts, String username) {
        if (username == null) {
            return 0;
        }
        Pattern p = Pattern.compile(
                "(?<![\\p{L}\\p{N}_@.])@" + Pattern.quote(username) + "(?![\\p{L}\\p{N}_])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        int n = 0;
        for (String t : texts) {
            if (t != null && p.matcher(t).find()) {
                n++;
            }
        }
        return n;
    }

    private static long earliest(long current, long at) {
        return current == 0 ? at : Math.min(current, at);
    }

    private static <T> T get(java.util.concurrent.CompletableFuture<T> f)
            throws InterruptedException, ExecutionException, TimeoutException {
        return f.get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
