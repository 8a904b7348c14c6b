package dev.huddle.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's memory as seen from outside: used heap from its Prometheus metrics (Helidon's
 * {@code memory_usedHeap_bytes}, or Micrometer-style {@code jvm_memory_used_bytes{area="heap"}} summed over pools)
 * and resident set size from {@code /proc/<pid>/status}. Either source may be absent.
 */
final class GatewayMemory {
    /** Heap and RSS in bytes, {@code null} where unknown. */
    record Sample(Long heapBytes, Long rssBytes, Long rssPeakBytes) {
        Map<String, Object> mb(String suffix) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (heapBytes != null) {
                m.put("heap_mb" + suffix, mb(heapBytes));
            }
            if (rssBytes != null) {
                m.put("rss_mb" + suffix, mb(rssBytes));
            }
            if (rssPeakBytes != null) {
                m.put("rss_peak_mb" + suffix, mb(rssPeakBytes));
            }
            return m;
        }

        private static double mb(long bytes) {
            return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
        }
    }

    private final HttpClient http;
    private final URI metrics;
    private final Long pid;

    GatewayMemory(HttpClient http, URI metrics, Long pid) {
        this.http = http;
        this.metrics = metrics;
        this.pid = pid;
    }

    boolean enabled() {
        return metrics != null || pid != null;
    }

    /**
     * Asks the gateway's JVM for a full collection ({@code jcmd <pid> GC.run}), so the next heap reading is its
     * live set rather than live set plus garbage. Only with a pid and a jcmd next to this JVM; true if it worked.
     */
    boolean collectGarbage() throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (pid == null || metrics == null || !Files.isExecutable(jcmd)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), pid.toString(), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Samples a few times {@code spacingMillis} apart and keeps the lowest heap: used heap includes garbage that
     * the next collection frees, and the minimum is the closest to the live set we can get from outside.
     */
    Sample sample(int times, long spacingMillis) throws InterruptedException {
        Long heap = null;
        for (int i = 0; i < times && metrics != null; i++) {
            if (i > 0) {
                Thread.sleep(spacingMillis);
            }
            Long h = heap();
            if (h != null && (heap == null || h < heap)) {
                heap = h;
            }
        }
        return new Sample(heap, status("VmRSS:"), status("VmHWM:"));
    }

    private Long heap() throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5))
                    .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? usedHeap(r.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Used heap bytes from Prometheus text, or {@code null} if it has neither known meter. */
    static Long usedHeap(String prometheus) {
        double pools = 0;
        boolean sawPools = false;
        for (String line : prometheus.split("\n")) {
            if (line.startsWith("memory_usedHeap_bytes")) {
                return (long) value(line);
            }
            if (line.startsWith("jvm_memory_used_bytes") && line.contains("area=\"heap\"")) {
                pools += value(line);
                sawPools = true;
            }
        }
        return sawPools ? (long) pools : null;
    }

    private static double value(String line) {
        String[] parts = line.trim().split("\\s+");
        // "name{labels} value [timestamp]": the value follows the closing brace or the name.
        int i = line.contains("}") ? indexAfterLabels(parts) : 1;
        return Double.parseDouble(parts[i]);
    }

    private static int indexAfterLabels(String[] parts) {
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].endsWith("}")) {
                return i + 1;
            }
        }
        return 1;
    }

    /** A size line of /proc/pid/status (e.g. {@code VmRSS:  123456 kB}) in bytes. */
    private Long status(String field) {
        if (pid == null) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid.toString(), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }
}
