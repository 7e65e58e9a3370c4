/**
 * The blob store on any S3-compatible service (AWS SDK v2, presigned URLs): the cluster's choice
 * ({@code attachments.store=s3}).
 * <p>
 * Rung 5, the adapters' rung: only the composition root knows it. May import rungs 1-4.
 */
package io.parley.server.s3;
