package dev.huddle.launcher;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The embedded broker's own request counters, read from the Yammer meters it registers as MBeans in this JVM:
 * {@code kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*} (summed over API versions) and the
 * records it appended ({@code BrokerTopicMetrics MessagesInPerSec}). They count what the broker really handled,
 * whoever the client was, so they are the truth for "broker requests per relayed signal".
 */
final class BrokerRequests {
    private static final ObjectName REQUESTS = name("kafka.network:type=RequestMetrics,name=RequestsPerSec,*");
    private static final ObjectName RECORDS_IN = name("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec");

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    /** Requests handled since the broker started, by API name (Produce, Fetch, Metadata, ...). */
    Map<String, Long> requests() {
        Map<String, Long> byApi = new TreeMap<>();
        for (ObjectName n : server.queryNames(REQUESTS, null)) {
            String api = n.getKeyProperty("request");
            if (api != null) {
                byApi.merge(api, count(n), Long::sum);
            }
        }
        return byApi;
    }

    /** Records appended to any topic since the broker started (0 before the first produce). */
    long recordsIn() {
        return server.isRegistered(RECORDS_IN) ? count(RECORDS_IN) : 0;
    }

    /** Both as one JSON object: {@code {"requests":{"Fetch":n,...},"records_in":n}}. */
    String json() {
        StringBuilder b = new StringBuilder("{\"requests\":{");
        requests().forEach((api, n) -> b.append(b.charAt(b.length() - 1) == '{' ? "" : ",")
                .append('"').append(api).append("\":").append(n));
        return b.append("},\"records_in\":").append(recordsIn()).append('}').toString();
    }

    private long count(ObjectName n) {
        try {
            return ((Number) server.getAttribute(n, "Count")).longValue();
        } catch (JMException e) {
            return 0; // unregistered between query and read: the broker is stopping
        }
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }
}
