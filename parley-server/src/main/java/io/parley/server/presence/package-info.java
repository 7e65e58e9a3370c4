/**
 * The presence seam (who is online, typing) with its in-process implementation and the hub that tells sessions
 * about changes.
 * <p>
 * Rung 3, beside bus, auth and wire, which it never imports. May import store, config, time, metrics and the
 * protocol module.
 */
package io.parley.server.presence;
