package dev.huddle.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Prometheus Operator's PodMonitor and PrometheusRule (monitoring.coreos.com/v1), as strict records of the
 * fields of the operator's v1 API that a monitor or a rule may have: a misspelled or misplaced field is an error,
 * as in the CRD's structural schema. (fabric8 ships no model of these kinds for offline use, and their CRDs are
 * not on Maven Central.) Durations must match the operator's {@code Duration} pattern.
 */
final class MonitoringCrds {
    static final String API_VERSION = "monitoring.coreos.com/v1";
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final Pattern DURATION = Pattern.compile(
            "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$");

    record Metadata(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
    }

    record Requirement(String key, String operator, List<String> values) {
    }

    record Selector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {
    }

    record Relabel(List<String> sourceLabels, String separator, String targetLabel, String regex, Long modulus,
                   String replacement, String action) {
    }

    record Endpoint(String port, Integer portNumber, String path, String scheme, Map<String, List<String>> params,
                    String interval, String scrapeTimeout, Boolean honorLabels, Boolean honorTimestamps,
                    Boolean enableHttp2, Boolean filterRunning, Boolean followRedirects, List<Relabel> relabelings,
                    List<Relabel> metricRelabelings) {
    }

    record PodMonitorSpec(String jobLabel, List<String> podTargetLabels, List<Endpoint> podMetricsEndpoints,
                          Selector selector, NamespaceSelector namespaceSelector, Long sampleLimit) {
    }

    record PodMonitor(String apiVersion, String kind, Metadata metadata, PodMonitorSpec spec) {
    }

    record Rule(String alert, String record, String expr, @JsonProperty("for") String forDuration,
                @JsonProperty("keep_firing_for") String keepFiringFor, Map<String, String> labels,
                Map<String, String> annotations) {
    }

    record RuleGroup(String name, String interval, List<Rule> rules, Integer limit,
                     @JsonProperty("query_offset") String queryOffset, Map<String, String> labels) {
    }

    record PrometheusRuleSpec(List<RuleGroup> groups) {
    }

    record PrometheusRule(String apiVersion, String kind, Metadata metadata, PrometheusRuleSpec spec) {
    }

    private MonitoringCrds() {
    }

    static boolean isMonitoring(JsonNode r) {
        return r.path("apiVersion").asText().startsWith("monitoring.coreos.com/");
    }

    /** Problems of a monitoring resource; empty when valid. */
    static List<String> validate(JsonNode r) {
        String name = r.path("kind").asText() + " " + r.at("/metadata/name").asText();
        List<String> errors = new ArrayList<>();
        if (!API_VERSION.equals(r.path("apiVersion").asText())) {
            return List.of(name + ": apiVersion " + r.path("apiVersion").asText() + " is not " + API_VERSION);
        }
        try {
            switch (r.path("kind").asText()) {
                case "PodMonitor" -> podMonitor(STRICT.treeToValue(r, PodMonitor.class), errors);
                case "PrometheusRule" -> rule(STRICT.treeToValue(r, PrometheusRule.class), errors);
                default -> errors.add(": kind is neither PodMonitor nor PrometheusRule");
            }
        } catch (Exception e) {
            errors.add(": " + e.getMessage().lines().findFirst().orElse(""));
        }
        errors.replaceAll(e -> name + e);
        return errors;
    }

    private static void podMonitor(PodMonitor m, List<String> errors) {
        if (m.spec() == null || m.spec().selector() == null) {
            errors.add(".spec.selector: required");
            return;
        }
        if (m.spec().podMetricsEndpoints() == null || m.spec().podMetricsEndpoints().isEmpty()) {
            errors.add(".spec.podMetricsEndpoints: at least one");
            return;
        }
        for (Endpoint e : m.spec().podMetricsEndpoints()) {
            duration(".spec.podMetricsEndpoints.interval", e.interval(), errors);
            duration(".spec.podMetricsEndpoints.scrapeTimeout", e.scrapeTimeout(), errors);
        }
    }

    private static void rule(PrometheusRule p, List<String> errors) {
        if (p.spec() == null || p.spec().groups() == null) {
            errors.add(".spec.groups: required");
            return;
        }
        for (RuleGroup g : p.spec().groups()) {
            if (g.name() == null || g.name().isEmpty()) {
                errors.add(".spec.groups.name: required");
            }
            duration(".spec.groups.interval", g.interval(), errors);
            for (Rule rule : g.rules() == null ? List.<Rule>of() : g.rules()) {
                if ((rule.alert() == null) == (rule.record() == null)) {
                    errors.add(".spec.groups.rules: exactly one of alert and record");
                }
                if (rule.expr() == null || rule.expr().isBlank()) {
                    errors.add(".spec.groups.rules.expr: required");
                }
                duration(".spec.groups.rules.for", rule.forDuration(), errors);
                duration(".spec.groups.rules.keep_firing_for", rule.keepFiringFor(), errors);
            }
        }
    }

    private static void duration(String path, String value, List<String> errors) {
        if (value != null && !DURATION.matcher(value).matches()) {
            errors.add(path + ": '" + value + "' is not a duration");
        }
    }
}
