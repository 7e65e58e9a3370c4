package io.parley.server.bus;

/**
 * The in-process bus: one node, delivering on the publishing thread. It has no other nodes and no subscription to
 * lose, so it runs the base contract only.
 */
class LocalBusTest extends BusContract {
    @Override
    protected Bus open() {
        return new LocalBus();
    }
}
