package dev.huddle.kafka;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the declared topics that do not exist yet. Every service calls it at start-up, so any one of
 * them can be the first to start.
 */
public final class TopicAdmin {
    private static final System.Logger LOG = System.getLogger(TopicAdmin.class.getName());

    private TopicAdmin() {
    }

    public static void ensure(Admin admin, KafkaSettings settings, Collection<TopicSpec> specs) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                List<NewTopic> missing = new ArrayList<>();
                for (TopicSpec spec : specs) {
                    String name = settings.topic(spec);
                    if (!existing.contains(name)) {
                        missing.add(new NewTopic(name, spec.partitions(), settings.replicationFactor())
                                .configs(spec.configs()));
                    }
                }
                if (missing.isEmpty()) {
                    return;
                }
                List<String> created = new ArrayList<>();
                for (var e : admin.createTopics(missing).values().entrySet()) {
                    try {
                        e.getValue().get(30, TimeUnit.SECONDS);
                        created.add(e.getKey());
                    } catch (ExecutionException failed) {
                        if (!(failed.getCause() instanceof AuthorizationException)) {
                            throw failed;
                        }
                        // On a closed bus the Topic Operator makes the topics, and a service may not even see
                        // the ones it does not use: those it uses are waited for by its consumers and producers.
                        LOG.log(Level.INFO, "Not allowed to create " + e.getKey() + ": left to the Topic Operator");
                    }
                }
                if (!created.isEmpty()) {
                    LOG.log(Level.INFO, "Created topics " + created);
                }
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    continue; // another service created it meanwhile
                }
                retryOrFail(deadline, e);
            } catch (Exception e) {
                retryOrFail(deadline, e);
            }
        }
    }

    private static void retryOrFail(long deadline, Exception e) {
        if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("Cannot create Kafka topics: " + e.getMessage(), e);
        }
        LOG.log(Level.WARNING, "Kafka not reachable yet (" + e.getMessage() + "), retrying");
        try {
            Thread.sleep(1000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ie);
        }
    }
}
