/**
 * Offline push notifications (issue 15): the providers' wire protocols. Web Push: the RFC 8291 payload
 * encryption ({@code WebPushCrypto}), the VAPID key pair of RFC 8292 generated on first start and kept in the data dir
 * ({@code VapidKeys}), and the RFC 8030 request ({@code WebPushRequest}); FCM HTTP v1 ({@code FcmProvider}, with the
 * service account's OAuth2 tokens in {@code GoogleAccessTokens}) and APNs over HTTP/2 ({@code ApnsProvider}) behind the
 * {@code PushProvider} seam.
 * <p>
 * Rung 3: may import config, time, metrics, log and store; nothing here runs on an event loop: each provider's
 * HTTP calls run on its own {@code java.net.http.HttpClient} and threads.
 */
package io.parley.server.push;
