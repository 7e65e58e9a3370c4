/**
 * The composition root: {@code Main} reads the configuration and {@code ParleyServer} creates every part, wires
 * them and owns their lifecycle.
 * <p>
 * Top rung of the package ladder (docs/architecture.md): may import every package of the server. Nothing imports
 * it.
 */
package io.parley.server;
