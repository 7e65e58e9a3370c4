/**
 * The blob store seam (attachments' bytes: {@link io.parley.server.blob.BlobStore}) and its embedded implementation,
 * files under the data dir served by Parley itself through HMAC-signed URLs ({@link io.parley.server.blob.FileBlobStore}).
 * <p>
 * Rung 3, beside presence, bus, auth, wire and scan, which it never imports. May import config, time, metrics and the
 * protocol module.
 */
package io.parley.server.blob;
