package dev.huddle.service;

import dev.huddle.events.Command;
import dev.huddle.events.InstanceHeartbeat;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Publishes this instance's {@link InstanceHeartbeat} at a fixed interval, and a tombstone on a clean stop,
 * so presence-service and the operator see every running instance and notice the dead ones.
 */
public final class Heartbeat implements AutoCloseable {
    private final Instance instance;
    private final Publisher publisher;
    private final BooleanSupplier healthy;
    private final IntSupplier connections;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("heartbeat").daemon().factory());

    public Heartbeat(Instance instance, Publisher publisher, BooleanSupplier healthy, IntSupplier connections,
                     long intervalMs) {
        this.instance = instance;
        this.publisher = publisher;
        this.healthy = healthy;
        this.connections = connections;
        timer.scheduleAtFixedRate(this::beat, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        publisher.send(Topics.INSTANCES, instance.id(), new InstanceHeartbeat(Command.VERSION, instance.id(),
                instance.kind(), instance.version(), instance.started(), System.currentTimeMillis(),
                healthy.getAsBoolean(), connections.getAsInt()));
    }

    /** Stops beating without a goodbye (what a crash looks like to the others). */
    public void stopSilently() {
        timer.shutdownNow();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        publisher.send(Topics.INSTANCES, instance.id(), null);
    }
}
