// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The root {@code runnel} command: global options, and what the subcommands share —
 * loading the user's app from the extra classpath, and the process's streams.
 */
// scope INHERIT: every subcommand gets --help and --version too (`runnel send --help`).
@Command(name = "runnel", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "runnel 0.1.0-SNAPSHOT",
        description = "Runs and operates Runnel apps: workers, test events, processor resets, status.",
        synopsisSubcommandLabel = "COMMAND",
        footer = {"",
                "The app class implements io.runnel.engine.RunnelApp or declares public static App app().",
                "Settings come from RUNNEL_* environment variables (RUNNEL_REDIS_URL, ...).",
                "Exit codes: 0 ok, 1 failure, 2 bad usage or input, 3 app configuration, 4 Redis unavailable."})
final class RunnelCommand implements Runnable {
    private final Map<String, String> env;
    private final InputStream in;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-cp", "--classpath"}, paramLabel = "PATH",
            description = "Where the app's classes are: jars, directories and dir/* (every jar in dir), separated by '${sys:path.separator}' "
                    + "(added to RUNNEL_CLASSPATH).")
    private String classpath;

    private ClassLoader loader;

    RunnelCommand(Map<String, String> env, InputStream in) {
        this.env = env;
        this.in = in;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command");
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    InputStream in() {
        return in;
    }

    /** Loads and builds the user's app, with its classes and plugins visible to ServiceLoader. */
    App loadApp(String className) {
        ClassLoader classes = classLoader();
        // ServiceLoader (transports, serializers) and Jackson look at the context loader.
        Thread.currentThread().setContextClassLoader(classes);
        return new AppLoader(classes).load(className);
    }

    /** A stream of the app, or a usage error listing the app's streams. */
    static Stream<?> stream(App app, String name) {
        try {
            return app.streamNamed(name);
        } catch (Misconfigured e) {
            throw CliFailure.usage(e.getMessage());
        }
    }

    /** Checks processor names against the app's. */
    static void checkProcessors(App app, List<String> names) {
        for (String name : names) {
            if (!app.processors().contains(name)) {
                throw CliFailure.usage("app " + app.name() + " has no processor '" + name + "'; its processors are "
                        + app.processors());
            }
        }
    }

    private synchronized ClassLoader classLoader() {
        if (loader == null) {
            List<URL> urls = new ArrayList<>();
            for (String path : List.of(env.getOrDefault("RUNNEL_CLASSPATH", ""), classpath == null ? "" : classpath)) {
                for (String entry : path.split(File.pathSeparator)) {
                    if (!entry.isBlank()) {
                        urls.addAll(urls(entry.strip()));
                    }
                }
            }
            ClassLoader parent = RunnelCommand.class.getClassLoader();
            loader = urls.isEmpty() ? parent : new URLClassLoader("runnel-app", urls.toArray(URL[]::new), parent);
        }
        return loader;
    }

    /** One classpath entry; {@code dir/*} means every jar in {@code dir}, as for {@code java -cp}. */
    private static List<URL> urls(String entry) {
        if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
            Path dir = Path.of(entry.substring(0, entry.length() - 1).isEmpty() ? "." : entry.substring(0, entry.length() - 1));
            File[] jars = dir.toFile().listFiles((d, name) -> name.endsWith(".jar") || name.endsWith(".JAR"));
            if (jars == null) {
                throw CliFailure.configuration("classpath entry " + entry + ": " + dir + " is not a directory");
            }
            java.util.Arrays.sort(jars);
            List<URL> urls = new ArrayList<>();
            for (File jar : jars) {
                urls.add(url(jar.toPath()));
            }
            return urls;
        }
        Path path = Path.of(entry);
        if (!path.toFile().exists()) {
            throw CliFailure.configuration("classpath entry " + path + " does not exist");
        }
        return List.of(url(path));
    }

    private static URL url(Path path) {
        try {
            return path.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw CliFailure.configuration("classpath entry " + path + " is not a valid path: " + e.getMessage());
        }
    }
}
