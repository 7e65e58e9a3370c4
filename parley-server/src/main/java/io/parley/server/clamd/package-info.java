/**
 * The scanner that asks ClamAV's clamd (INSTREAM over its Unix or TCP socket): {@code attachments.scanner=clamd}.
 * <p>
 * Rung 5, the adapters' rung: only the composition root knows it. May import rungs 1-4.
 */
package io.parley.server.clamd;
