package dev.huddle.deploy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The Dockerfile builds what Maven packages, runs it unprivileged, and the build commands use the real ports. */
class DockerfileTest {
    private static final Pattern BUILD = Pattern.compile("--build-arg MODULE=([a-z-]+)\\s+--build-arg PORT=(\\d+)");

    /** The numeric user of the image, which the Deployments' runAsUser repeats. */
    static String uid() {
        String user = Dockerfile.read().last("USER");
        if (!user.matches("\\d+(:\\d+)?")) {
            throw new AssertionError("Dockerfile USER should be numeric (Kubernetes checks runAsNonRoot by"
                    + " number), not " + user);
        }
        return user.split(":")[0];
    }

    @Test
    void runsAsAnUnprivilegedNumericUser() {
        assertThat("USER is not root", uid(), not(is("0")));
    }

    @Test
    void baseImageIsAJre21OrNewer() {
        Matcher m = Pattern.compile("eclipse-temurin:(\\d+)[^ ]*").matcher(Dockerfile.read().last("FROM"));
        assertThat("FROM eclipse-temurin:<version>", m.find(), is(true));
        assertThat("Java 21 or newer (maven.compiler.release)", Integer.parseInt(m.group(1)) >= 21, is(true));
    }

    @Test
    void baseImageIsPinnedByDigest() {
        // a tag can be moved to another image under our feet; a digest cannot
        String from = Dockerfile.read().last("FROM");
        assertThat("FROM " + from + " names image@sha256:<digest>",
                Pattern.matches("\\S+:[^@\\s]+@sha256:[0-9a-f]{64}", from), is(true));
    }

    @Test
    void copiesTheJarAndItsLibsAndStartsItWithContainerFriendlyFlags() {
        Dockerfile file = Dockerfile.read();
        List<String> copies = file.all("COPY");
        assertThat("copies libs/", copies.stream().anyMatch(c -> c.startsWith("${MODULE}/target/libs")), is(true));
        assertThat("copies the jar", copies.stream().anyMatch(c -> c.startsWith("${MODULE}/target/huddle-${MODULE}.jar")),
                is(true));
        List<String> entrypoint = file.entrypoint();
        assertThat("ENTRYPOINT starts java", entrypoint.getFirst(), is("java"));
        assertThat("ENTRYPOINT runs a jar", entrypoint, hasItem("-jar"));
        assertThat("heap sized from the container limit",
                entrypoint.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage=")), is(true));
        assertThat("a low-pause collector", entrypoint.contains("-XX:+UseZGC") || entrypoint.contains("-XX:+UseG1GC"),
                is(true));
        assertThat("no fixed heap: it follows the limit", entrypoint.stream().noneMatch(a -> a.startsWith("-Xmx")),
                is(true));
        assertThat("EXPOSE", file.all("EXPOSE").isEmpty(), is(false));
    }

    @Test
    void documentedBuildCommandsUseEachServicesPort() {
        for (String doc : List.of("Dockerfile", "docs/deploy.md")) {
            Matcher m = BUILD.matcher(Repo.read(Repo.path(doc)));
            int seen = 0;
            while (m.find()) {
                ServiceModule service = ServiceModule.of(m.group(1));
                assertThat(doc + ": PORT for " + service.module, Integer.parseInt(m.group(2)), is(service.port()));
                seen++;
            }
            assertThat(doc + " shows the build of every service", seen >= ServiceModule.values().length, is(true));
        }
    }
}
