// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/runnel}'s AOT cache logic: the cache is passed only to a Java 25+ that can use
 * it, and a missing, stale or unusable cache never stops the command. Most cases run the
 * script against a fake {@code java} that prints its arguments; the last ones run the real
 * JVM of this test (when it is 25 or newer) on a one-class jar.
 */
@Tag("process")
class LauncherScriptTest {
    private static final Path SCRIPT = Path.of("bin", "runnel").toAbsolutePath();

    @TempDir
    Path dir;

    /** What the script ran: its exit code, standard output and error. */
    record Run(int exit, String stdout, String stderr) {
        List<String> args() {
            return stdout.lines().toList();
        }
    }

    /** The class in the real jar: prints a word, so a polluted standard output shows. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("probe");
        }
    }

    @Test
    void uses_an_existing_cache_on_java25() throws Exception {
        Path jar = jar();
        Path cache = newerFile(jar, "app-all.aot");
        Run run = launch(fakeJava(25), jar, Map.of());
        assertThat(run.exit()).isZero();
        assertThat(run.args()).contains("-XX:AOTCache=" + cache).containsSequence("-jar", jar.toString(), "--version");
        // The JVM's complaints about a cache go to standard error, not into the command's output.
        assertThat(run.args()).contains("-Xlog:aot*=warning,cds*=warning:stderr");
    }

    @Test
    void runs_without_a_missing_cache() throws Exception {
        Path jar = jar();
        Run run = launch(fakeJava(25), jar, Map.of());
        assertThat(run.exit()).isZero();
        assertThat(run.args()).noneMatch(a -> a.startsWith("-XX:AOT")).containsSequence("-jar", jar.toString());
    }

    @Test
    void passes_no_aot_options_to_java21() throws Exception {
        Path jar = jar();
        newerFile(jar, "app-all.aot");
        Run run = launch(fakeJava(21), jar, Map.of());
        assertThat(run.exit()).isZero();
        assertThat(run.args()).noneMatch(a -> a.startsWith("-XX:AOT") || a.startsWith("-Xlog"))
                .containsSequence("-jar", jar.toString());
        Run training = launch(fakeJava(21), jar, Map.of("RUNNEL_AOT_TRAIN", "1"));
        assertThat(training.exit()).isZero();
        assertThat(training.args()).noneMatch(a -> a.startsWith("-XX:AOT"));
        assertThat(training.stderr()).contains("needs Java 25");
    }

    @Test
    void ignores_a_cache_older_than_the_jar() throws Exception {
        Path jar = jar();
        Path cache = Files.writeString(dir.resolve("app-all.aot"), "old");
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minusSeconds(3600)));
        Run run = launch(fakeJava(25), jar, Map.of());
        assertThat(run.exit()).isZero();
        assertThat(run.args()).noneMatch(a -> a.startsWith("-XX:AOT"));
        assertThat(run.stderr()).contains("older than");
    }

    @Test
    void trains_into_the_cache_path_and_can_be_turned_off() throws Exception {
        Path jar = jar();
        Path elsewhere = dir.resolve("elsewhere.aot");
        Run training = launch(fakeJava(25), jar, Map.of("RUNNEL_AOT_TRAIN", "1", "RUNNEL_AOT_CACHE", elsewhere.toString()));
        assertThat(training.args()).contains("-XX:AOTCacheOutput=" + elsewhere).noneMatch(a -> a.startsWith("-XX:AOTCache="));
        newerFile(jar, "app-all.aot");
        Run off = launch(fakeJava(25), jar, Map.of("RUNNEL_AOT_CACHE", ""));
        assertThat(off.args()).noneMatch(a -> a.startsWith("-XX:AOT"));
    }

    @Test
    void a_real_jvm_runs_past_an_unusable_cache_with_a_clean_standard_output() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "needs a Java 25 to run the launcher with");
        Path jar = probeJar();
        Path cache = newerFile(jar, "probe-all.aot");
        Files.write(cache, new byte[4096]); // not a cache: the JVM must say so on stderr and go on
        Run run = launch(Path.of(System.getProperty("java.home")), jar, Map.of());
        assertThat(run.exit()).isZero();
        assertThat(run.stdout()).isEqualTo("probe\n");
        assertThat(run.stderr()).contains("AOT cache");
    }

    @Test
    void a_real_jvm_trains_a_cache_and_uses_it() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "needs a Java 25 to run the launcher with");
        Path jar = probeJar();
        Path javaHome = Path.of(System.getProperty("java.home"));
        Run training = launch(javaHome, jar, Map.of("RUNNEL_AOT_TRAIN", "1"));
        assertThat(training.exit()).isZero();
        assertThat(training.stdout()).isEqualTo("probe\n");
        assertThat(dir.resolve("probe-all.aot")).isNotEmptyFile();
        Run withCache = launch(javaHome, jar, Map.of("RUNNEL_JAVA_OPTS", "-Xlog:aot=info:stderr"));
        assertThat(withCache.exit()).isZero();
        assertThat(withCache.stdout()).isEqualTo("probe\n");
        assertThat(withCache.stderr()).contains("Opened AOT cache");
    }

    private Run launch(Path javaHome, Path jar, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "--version")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_"));
        Map<String, String> all = new HashMap<>(env);
        all.put("JAVA_HOME", javaHome.toString());
        all.put("RUNNEL_JAR", jar.toString());
        pb.environment().putAll(all);
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
    }

    /** A JDK whose {@code java} reports {@code version} and prints its arguments, one a line. */
    private Path fakeJava(int version) throws IOException {
        Path home = dir.resolve("jdk-" + version);
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = -version ]; then echo 'openjdk version "%d.0.1" 2025-10-21' >&2; exit 0; fi
                for a in "$@"; do echo "$a"; done
                """.formatted(version));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private Path jar() throws IOException {
        return Files.writeString(dir.resolve("app-all.jar"), "not run: the fake java only prints its arguments");
    }

    /** A runnable jar holding {@link Probe} alone. */
    private Path probeJar() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
        String entry = Probe.class.getName().replace('.', '/') + ".class";
        Path jar = dir.resolve("probe-all.jar");
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = Probe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        return jar;
    }

    /** A file next to {@code jar}, modified after it. */
    private Path newerFile(Path jar, String name) throws IOException {
        Path f = Files.writeString(jar.resolveSibling(name), "a cache", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(f, FileTime.from(Files.getLastModifiedTime(jar).toInstant().plusSeconds(10)));
        return f;
    }
}
