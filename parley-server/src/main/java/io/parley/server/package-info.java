/**
 * The composition root: {@code Main} reads the configuration, {@code NodeBuilder} (behind {@code ParleyServer.start})
 * creates every part and wires them, and the node's {@code Lifecycle} owns each part from its creation and closes
 * them in reverse order on a failed start or on stop.
 * <p>
 * Top rung of the package ladder (docs/architecture.md): may import every package of the server. Nothing imports
 * it.
 */
package io.parley.server;
