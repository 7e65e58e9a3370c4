/**
 * Offline push notifications (issue 15; docs/architecture.md, "Push"): the store seams of the queue ({@code
 * PushStore}) and of the users' choices ({@code PushSettings}), the decision ({@code PushPlanner}), the workers that
 * claim, send and retry ({@code PushWorkers}, {@code Backoff}, {@code UserRate}), the provider seam ({@code
 * PushProvider}) and Web Push: the RFC 8291 payload encryption ({@code WebPushCrypto}), the VAPID key pair of RFC 8292
 * generated on first start and kept in the data dir ({@code VapidKeys}), the RFC 8030 request ({@code WebPushRequest})
 * and its provider ({@code WebPushProvider}, on a JDK HTTP client of its own).
 * <p>
 * Rung 3: may import config, time, metrics, log and store. Nothing here runs on an event loop: the workers have a
 * thread of their own and the providers HTTP clients of their own.
 */
package io.parley.server.push;
