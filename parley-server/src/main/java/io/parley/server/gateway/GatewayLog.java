package io.parley.server.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class GatewayLog {
    static final Logger LOG = LoggerFactory.getLogger("io.parley.gateway");

    private GatewayLog() {}
}
