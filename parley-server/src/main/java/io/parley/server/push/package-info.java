/**
 * Offline push notifications (issue 15): the providers' wire protocols. So far Web Push: the RFC 8291 payload
 * encryption ({@code WebPushCrypto}), the VAPID key pair of RFC 8292 generated on first start and kept in the data dir
 * ({@code VapidKeys}), and the RFC 8030 request ({@code WebPushRequest}). The outbox, the decision and the FCM/APNs
 * providers are not built yet (docs/api.md, "Devices").
 * <p>
 * Rung 3: may import config, time, metrics, log and store; nothing here touches a socket of its own or an event loop.
 */
package io.parley.server.push;
