package dev.huddle.gateway;

import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/**
 * The gateway: clients' WebSocket connections, the web client and the room list (docs/architecture.md).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        RunningService gateway = start(ServiceConfig.load("gateway.yaml"));
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gateway-shutdown"));
    }

    public static RunningService start(Config config) {
        return Gateway.start(config);
    }
}
