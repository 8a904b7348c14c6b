package dev.huddle.presence;

import dev.huddle.service.RunningService;
import dev.huddle.service.ServiceConfig;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/**
 * presence-service: sessions, resume, grace periods and gateway liveness (docs/architecture.md, "Sessions,
 * drops and resume").
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        RunningService service = start(ServiceConfig.load("presence-service.yaml"));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "presence-shutdown"));
    }

    public static RunningService start(Config config) {
        return PresenceService.start(config);
    }
}
