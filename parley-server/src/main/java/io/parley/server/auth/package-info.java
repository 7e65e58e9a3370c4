/**
 * Tokens and passwords: issuing and verifying JWTs, bcrypt hashing, the secret file.
 * <p>
 * Rung 3, beside presence, bus and wire, which it never imports. May import store, config, time, metrics and the
 * protocol module.
 */
package io.parley.server.auth;
