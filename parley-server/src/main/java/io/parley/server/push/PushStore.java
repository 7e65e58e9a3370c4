package io.parley.server.push;

import io.parley.server.store.ConversationKind;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.PushDevice;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The push pipeline's queue in the store (docs/architecture.md, "Push"): the durable "conversation touched" queue the
 * store fills in the transaction of every message, and the jobs the workers of every node send. The users' choices
 * are {@link PushSettings}. One contract on SQLite and PostgreSQL (PushStoreContract).
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Nothing committed is missed.</b> A committed message leaves its conversation touched ({@link
 *       #claimTouched} finds it once {@code grace} has passed) until a {@link #commitPlan} that saw it: a plan that
 *       read an older {@link Touched#touches} leaves the row for another round.</li>
 *   <li><b>One worker at a time.</b> {@link #claimTouched} and {@link #claimJobs} lease what they return until
 *       {@code leaseUntil}: no other claim, on any node, returns it before then (PostgreSQL: {@code FOR UPDATE SKIP
 *       LOCKED}; SQLite: the one writer). A lease that runs out (a node killed) makes the row claimable again.</li>
 *   <li><b>Jobs coalesce.</b> One job per device and conversation: a plan for a pair already queued replaces its
 *       payload and keeps its backoff; the send that was running then finishes without removing the newer payload
 *       ({@link Job#rev}).</li>
 *   <li>Every future completes off the caller's thread, on the store's threads; reads run on readers, writes are
 *       small (one conversation's plan, one batch of outcomes).</li>
 * </ul>
 */
public interface PushStore {

    // ---- planning ---------------------------------------------------------------------------------------------------

    /** A touched conversation, as claimed. */
    record Touched(String conversationId, long touchedAt, int touches) {}

    /**
     * Leases up to {@code max} conversations touched at least {@code graceMillis} ago (or whose later round, asked
     * for by a plan, is due) and not leased by another worker.
     */
    CompletableFuture<List<Touched>> claimTouched(long now, long graceMillis, long leaseUntil, int max);

    /**
     * A member who may be owed a push or a clear: one with a push device whose devices have not all the last seq, or
     * one who has a push shown.
     */
    record Recipient(
            String userId,
            String username,
            NotifyLevel chosen,
            long readSeq,
            long deliveredSeq,
            long pushedSeq,
            long pushedAt,
            boolean shown,
            Long dndUntil) {}

    /**
     * The conversation as the planner needs it; {@code recipients} leaves out members who have everything delivered
     * and members without a push device (nothing could be sent to them), so a deployment whose users are online, or
     * have no devices, plans almost nothing.
     */
    record Audience(ConversationKind kind, long lastSeq, List<Recipient> recipients) {}

    /** Empty when the conversation is gone. */
    CompletableFuture<java.util.Optional<Audience>> audience(String conversationId);

    /** The latest message by someone else: its seq, its sender's name (display name, else username) and its text. */
    record Latest(long seq, String sender, String text) {}

    /**
     * What {@code r} is owed in the conversation: {@code unread} (messages by others above their read cursor),
     * {@code latest} (the newest message by others above {@code afterSeq}, or null: nothing new), {@code firstAt}
     * (when the oldest of those was sent; 0 with none) and the texts of
     * messages by others above {@code afterSeq} that may mention {@code @username} (a case-insensitive substring
     * match, at most 100; the planner checks the word boundary).
     */
    record Owed(long unread, Latest latest, long firstAt, List<String> mentionCandidates) {}

    CompletableFuture<Owed> owed(String conversationId, Recipient r, long afterSeq);

    /**
     * The user's unread total, the push's badge: messages by others above the user's read cursor in every conversation
     * they are a member of (the sum of their conversations' {@code unreadCount}, muted ones included, as the web app's
     * tab title counts), deleted messages left out; counted up to {@code cap} and no further (one index range per
     * membership, stopped at the cap).
     */
    CompletableFuture<Integer> unreadTotal(String userId, int cap);

    /** One notification to queue for one device. {@code firstAt}: when the first message it covers was sent. */
    record NewJob(String deviceId, String userId, PushMessage message, long firstAt, long nextAt) {}

    /** Where a member's push cursor moves to with a plan. */
    record Cursor(String userId, long pushedSeq, long pushedAt, boolean shown) {}

    /**
     * One conversation's round, in one transaction: queues {@code jobs}, moves {@code cursors}, and then takes the
     * conversation off the touched queue when nothing touched it since the claim ({@code touches}) and no later round
     * is wanted ({@code notBefore} 0); otherwise releases it for the round at {@code notBefore} (or after the grace
     * window again, from {@code now}, when it was touched meanwhile).
     */
    record Plan(
            String conversationId, int touches, long now, List<NewJob> jobs, List<Cursor> cursors, long notBefore) {}

    CompletableFuture<Void> commitPlan(Plan plan);

    /**
     * Several conversations' rounds, each as {@link #commitPlan} would commit it, in one transaction: a round of the
     * workers plans up to a batch of conversations and commits them with one write (most plans of a busy, online
     * deployment queue nothing and only take the conversation off the queue).
     */
    CompletableFuture<Void> commitPlans(List<Plan> plans);

    /** The user's devices (oldest first). */
    CompletableFuture<List<PushDevice>> devices(String userId);

    // ---- sending ----------------------------------------------------------------------------------------------------

    /** A queued job as claimed: {@code device} null when the device was removed since. */
    record Job(
            long id,
            int rev,
            String deviceId,
            String userId,
            PushMessage message,
            long firstAt,
            int attempts,
            PushDevice device) {}

    /** Leases up to {@code max} jobs due at {@code now}, oldest due first. */
    CompletableFuture<List<Job>> claimJobs(long now, long leaseUntil, int max);

    /** What became of a claimed job. */
    sealed interface Outcome {
        Job job();

        /** Sent (or nothing left to send to): the job leaves the queue. */
        record Done(Job job) implements Outcome {}

        /** Not now: try again at {@code nextAt}; {@code attempt} counts towards the dead letter unless false. */
        record Later(Job job, long nextAt, boolean attempt, String error) implements Outcome {}

        /** Given up: moved to the dead letters. */
        record Dead(Job job, long now, String error) implements Outcome {}

        /** The device no longer exists at the provider: the job leaves the queue and the device is removed. */
        record Gone(Job job) implements Outcome {}
    }

    /**
     * Records the outcomes in one transaction. An outcome for a job whose payload a newer plan replaced since its claim
     * only releases the lease: the newer payload is sent next.
     */
    CompletableFuture<Void> finish(List<Outcome> outcomes);

    /** Jobs queued and not given up, in the whole store. */
    CompletableFuture<Long> depth();
}
