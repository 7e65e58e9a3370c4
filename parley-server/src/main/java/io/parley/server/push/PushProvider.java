package io.parley.server.push;

import io.parley.server.store.PushDevice;
import java.util.concurrent.CompletableFuture;

/**
 * One provider's wire (Web Push, FCM HTTP v1, APNs): sends one notification to one device and says what became of it.
 * The push workers own the queue, the retries and the removal of gone devices; a provider only speaks its protocol.
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #send} never blocks its caller: the request runs on the provider's own HTTP client, and the future
 *       completes there.</li>
 *   <li>The future never fails for an answer of the provider: every answer is a {@link PushResult} (a transport
 *       failure, a timeout or a 5xx is {@link PushResult.Kind#RETRY}). It fails only for a bug.</li>
 *   <li>{@link PushResult.Kind#GONE} only when the provider says the target no longer exists (HTTP 404 or 410, FCM
 *       {@code UNREGISTERED}, APNs {@code Unregistered} or {@code BadDeviceToken}).</li>
 *   <li>What leaves the server is {@link PushMessage} as the privacy level made it: a provider adds nothing of its
 *       own (no user ids, no conversation titles).</li>
 * </ul>
 */
public interface PushProvider extends AutoCloseable {

    /** The platform this provider sends to. */
    PushDevice.Platform platform();

    /** Sends {@code message} to {@code device} (whose {@code token} is the provider's address for it). */
    CompletableFuture<PushResult> send(PushDevice device, PushMessage message);

    /** Releases the HTTP client. Idempotent. */
    @Override
    void close();
}
