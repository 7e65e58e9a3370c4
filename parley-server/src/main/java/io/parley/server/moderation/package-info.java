/**
 * Server admins and moderation (issue 18): {@link io.parley.server.moderation.ModerationService} grants and checks
 * the admin role, bans and unbans through the revocation log and the close signal, mutes members (the cached
 * {@code chat.Mutes} the send path asks), stores reports and reads the audit logs;
 * {@link io.parley.server.moderation.ModerationQueue} screens sends by the sender's reputation ({@code chat.Screening})
 * and holds low-reputation senders' messages in the moderation queue until a server admin decides.
 * <p>
 * Rung 4.5 of docs/architecture.md, between the faces (rung 5) and the domain (rung 4): may import chat, attach,
 * stranger and everything below them (auth, limits, store, config, time, metrics, log) and the protocol module; never a face
 * (api, gateway) or an adapter (redis, store.jdbc). The chat rules reach it only through {@code chat.Mutes} and {@code chat.Screening}, the stranger service
 * through {@code StrangerService.Reports}.
 */
package io.parley.server.moderation;
