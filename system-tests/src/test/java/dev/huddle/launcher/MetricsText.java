package dev.huddle.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A service's {@code /observe/metrics} as an operator's Prometheus scrape reads it (the text format). */
public final class MetricsText {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)})? (\\S+)$",
            Pattern.MULTILINE);

    /** One sample: its metric name, its labels as written ({@code a="x",b="y"}) and its value. */
    public record Sample(String name, String labels, double value) {
        /** The value of label {@code key}, or null. */
        public String label(String key) {
            Matcher m = Pattern.compile("(?:^|,)" + Pattern.quote(key) + "=\"([^\"]*)\"").matcher(labels);
            return m.find() ? m.group(1) : null;
        }
    }

    private MetricsText() {
    }

    /** GETs {@code baseUrl}/observe/metrics (for example http://localhost:8080). */
    public static String scrape(String baseUrl) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/observe/metrics"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The samples of metric {@code name} (exactly that name: a histogram's are {@code name_bucket} and so on). */
    public static List<Sample> samples(String text, String name) {
        List<Sample> samples = new ArrayList<>();
        Matcher m = LINE.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                samples.add(new Sample(name, m.group(2) == null ? "" : m.group(2), Double.parseDouble(m.group(3))));
            }
        }
        return samples;
    }
}
