package dev.huddle.signaling;

import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/**
 * signaling-service: relays WebRTC signals and chat between members of a room (docs/architecture.md).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        RunningService service = start(ServiceConfig.load("signaling-service.yaml"));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "signaling-shutdown"));
    }

    public static RunningService start(Config config) {
        return SignalingService.start(config);
    }
}
