/**
 * The configuration: one immutable record tree, its defaults, and a loader that names the bad key, source and
 * value; {@code store.url} is parsed here once ({@code StoreUrl}).
 * <p>
 * Ground floor (rung 1): imports nothing of the server, only the JDK and the protocol module.
 */
package io.parley.server.config;
