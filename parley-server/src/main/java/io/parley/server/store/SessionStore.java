package io.parley.server.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable device sessions, their refresh tokens and the revocation log (issue 15; docs/api.md, "Sessions").
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Durability.</b> As {@link ChatStore}: a completed write future means committed; a failed one means nothing
 *       of that write is stored.</li>
 *   <li><b>Refresh tokens are single use.</b> {@link #rotateRefreshToken} exchanges a current token for a new one
 *       atomically: with no reuse grace, of two concurrent exchanges of one token exactly one is
 *       {@link RefreshOutcome.Result#ROTATED}; the other, and any later one, is a replay
 *       ({@link RefreshOutcome.Result#REUSED}) and revokes the session. With a grace {@code g}, an exchange of a token
 *       first used at {@code u} is ROTATED again (another new token of the session) while {@code now < u + g}, and a
 *       replay from then on; the grace never extends: it counts from the first use. Tokens are stored only as their
 *       SHA-256 hashes (the caller hashes).</li>
 *   <li><b>Revocation is final and logged.</b> Every revocation is one {@link Revocation} row, written in the
 *       transaction that revokes, with an {@code at} no earlier than the rows before it on this node's clock; a
 *       revoked session stays revoked. Revoking a session removes its push devices.</li>
 *   <li><b>Threads.</b> No method blocks its caller; futures complete on the store's own thread.</li>
 * </ul>
 */
public interface SessionStore extends AutoCloseable {

    /** Stores a new session with its first refresh token (hash) valid until {@code refreshExpiresAt}. */
    CompletableFuture<Void> createSession(DeviceSession session, String refreshHash, long refreshExpiresAt);

    /**
     * Stores the session of an externally minted token unless a session with its id exists. Returns the session as
     * stored (the existing one when there was one, which may belong to another user: the caller must check).
     */
    CompletableFuture<DeviceSession> ensureSession(DeviceSession session);

    /** Records that the session was used at {@code nowMillis} (last seen). Unknown ids change nothing. */
    CompletableFuture<Void> touch(String sessionId, long nowMillis);

    /**
     * See the class contract. {@code newHash} is stored, valid until {@code newExpiresAt}, only when ROTATED;
     * {@code reuseGraceMillis} (0: none) is how long after its first use the token may be exchanged again.
     */
    CompletableFuture<RefreshOutcome> rotateRefreshToken(
            String presentedHash, String newHash, long nowMillis, long newExpiresAt, long reuseGraceMillis);

    /** The user's sessions that are not revoked, oldest first. */
    CompletableFuture<List<DeviceSession>> sessions(String userId);

    /** The session with this id, revoked or not. */
    CompletableFuture<Optional<DeviceSession>> session(String sessionId);

    /**
     * Revokes the user's session {@code sessionId}. Empty when the user has no such session (another user's session
     * counts as none) or it was revoked already.
     */
    CompletableFuture<Optional<Revocation>> revokeSession(String userId, String sessionId, long nowMillis);

    /** Revokes every session of the user except {@code keepSessionId} (may be null: none kept). */
    CompletableFuture<List<Revocation>> revokeOtherSessions(String userId, String keepSessionId, long nowMillis);

    /**
     * Logout everywhere: revokes every session of the user and writes a {@link Revocation.Kind#USER} entry, so that
     * tokens issued before {@code nowMillis} are refused even when they name no session (external tokens). Returns
     * every entry written, the USER one last.
     */
    CompletableFuture<List<Revocation>> revokeUser(String userId, long nowMillis);

    /** The revocation log's entries with {@code at >= sinceMillis}, in id order (0: all of it). */
    CompletableFuture<List<Revocation>> revocationsSince(long sinceMillis);

    // ---- push devices (docs/api.md, "Devices") ---------------------------------------------------------------------

    /**
     * Registers a push target for a live session. A (platform, token) pair registered before is moved to this session
     * and user (a device that signed in again), keeping its id; returns the device as stored. Fails with
     * {@link StoreException.NotFound} when the session is not a live session of the device's user.
     */
    CompletableFuture<PushDevice> addDevice(PushDevice device);

    /** The user's push devices, oldest first. */
    CompletableFuture<List<PushDevice>> devices(String userId);

    /** Removes the user's device; false when the user has no such device (another user's counts as none). */
    CompletableFuture<Boolean> removeDevice(String userId, String deviceId);

    /** Removes the target a provider reported as gone (404, 410, Unregistered); false when it was not stored. */
    CompletableFuture<Boolean> removeDeviceToken(PushDevice.Platform platform, String token);

    /** Stops accepting work and releases the connection. Idempotent. */
    @Override
    void close();
}
