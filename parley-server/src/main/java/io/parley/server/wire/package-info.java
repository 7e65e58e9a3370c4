/**
 * What stored records look like on the wire: protocol frames ({@code Frames}), the REST JSON shapes ({@code
 * RestShapes}) and the one error body ({@code ErrorBody}), shared by both faces and the bus so that each shape is
 * built in one place.
 * <p>
 * Rung 3, beside presence, bus and auth, which it never imports. May import store, config, time, metrics and the
 * protocol module.
 */
package io.parley.server.wire;
