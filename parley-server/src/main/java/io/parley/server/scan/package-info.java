/**
 * The scanner seam that keeps attachments in quarantine until they are found clean
 * ({@link io.parley.server.scan.Scanner}), and the scanner that finds everything clean ({@code attachments.scanner=none}).
 * ClamAV's clamd, the real one, is the adapter in {@code clamd}.
 * <p>
 * Rung 3, beside presence, bus, auth, wire and blob, which it never imports. May import config, time and metrics.
 */
package io.parley.server.scan;
