/**
 * Offline push notifications (issue 15; docs/architecture.md, "Push"): the store seams of the queue ({@code
 * PushStore}) and of the users' choices ({@code PushSettings}), the decision ({@code PushPlanner}), the workers that
 * claim, send and retry ({@code PushWorkers}, {@code Backoff}, {@code PushRate}), the provider seam ({@code
 * PushProvider}) and the providers: Web Push (the RFC 8291 payload encryption {@code WebPushCrypto}, the VAPID key pair
 * of RFC 8292 generated on first start and kept in the data dir {@code VapidKeys}, the RFC 8030 request
 * {@code WebPushRequest} and {@code WebPushProvider}), FCM HTTP v1 ({@code FcmProvider}, with the service account's
 * OAuth2 tokens in {@code GoogleAccessTokens}) and APNs over HTTP/2 ({@code ApnsProvider}).
 * <p>
 * Rung 3: may import config, time, metrics, log and store. Nothing here runs on an event loop: the workers have a
 * thread of their own and each provider an HTTP client and threads of its own.
 */
package io.parley.server.push;
