/**
 * Attachments (issue 16, docs/api.md "Attachments"): upload slots, finalize (size, type sniffed from the bytes,
 * checksum, image size, thumbnail and metadata stripping), quarantine and scans with retries, messages that refer to
 * attachments, members-only downloads through short-lived signed URLs, and the collector of unreferenced and deleted
 * blobs.
 * <p>
 * Rung 4, beside chat, which it never imports. May import rungs 1-3: store, blob, scan, wire, auth, config, time,
 * metrics, log.
 */
package io.parley.server.attach;
