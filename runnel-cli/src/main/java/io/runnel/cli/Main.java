// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.Misconfigured;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code runnel} command line: {@code worker}, {@code send}, {@code sendmany},
 * {@code processor reset}, {@code status}, {@code dead list|replay|purge} and
 * {@code parked list|replay|drop}, each taking the class that exposes the app
 * (see {@link io.runnel.engine.RunnelApp}). The command's own output goes to standard
 * output; logs and error messages go to standard error.
 *
 * <p>Exit codes: 0 success; 1 a worker stopped with an error (or an unexpected failure);
 * 2 bad usage or input (unknown option, stream or processor, invalid JSON, a record that
 * does not match); 3 the app cannot be had (class not found, not an app, its definition or
 * settings failed); 4 Redis could not be reached or refused a command.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the command and its arguments, e.g. {@code worker com.example.Shop}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    /** Runs one command; returns its exit code instead of exiting. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        try {
            LogSettings.apply(env);
        } catch (CliFailure e) {
            errWriter.println("runnel: " + e.getMessage());
            return e.exit.code;
        }
        RunnelCommand root = new RunnelCommand(env, in);
        CommandLine cli = new CommandLine(root);
        cli.addSubcommand(new WorkerCommand(root));
        cli.addSubcommand(new SendCommand(root));
        cli.addSubcommand(new SendManyCommand(root));
        cli.addSubcommand(new CommandLine(new ProcessorCommand()).addSubcommand(new ProcessorCommand.Reset(root)));
        cli.addSubcommand(new StatusCommand(root));
        cli.addSubcommand(new ConsoleCommand(root));
        cli.addSubcommand(new CommandLine(new DeadCommand()).addSubcommand(new DeadCommand.ListDead(root))
                .addSubcommand(new DeadCommand.Replay(root)).addSubcommand(new DeadCommand.Purge(root)));
        cli.addSubcommand(new CommandLine(new ParkedCommand()).addSubcommand(new ParkedCommand.ListParked(root))
                .addSubcommand(new ParkedCommand.Replay(root)).addSubcommand(new ParkedCommand.Drop(root)));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(errWriter);
        cli.setExitCodeExceptionMapper(Main::exitCode);
        cli.setExecutionExceptionHandler((error, command, parsed) -> {
            command.getErr().println("runnel: " + message(error));
            if (exitCode(error) == Exit.FAILURE.code && !(error instanceof CliFailure)) {
                error.printStackTrace(command.getErr()); // unexpected: the trace is the useful part
            }
            return exitCode(error);
        });
        return cli.execute(args);
    }

    private static int exitCode(Throwable error) {
        if (error instanceof CliFailure failure) {
            return failure.exit.code;
        }
        if (error instanceof CommandLine.ParameterException) {
            return Exit.USAGE.code;
        }
        if (error instanceof TransportException) {
            return Exit.UNAVAILABLE.code;
        }
        if (error instanceof Misconfigured) {
            return Exit.CONFIGURATION.code;
        }
        return Exit.FAILURE.code;
    }

    /**
     * The message for the terminal. Transport and settings messages are redacted at the
     * source, but our messages may quote a user's exception, so URLs with credentials are
     * masked here too, whatever the message.
     */
    private static String message(Throwable error) {
        String text = error instanceof CliFailure || error instanceof TransportException || error instanceof Misconfigured
                ? error.getMessage()
                : "unexpected error: " + error;
        return redactUrls(String.valueOf(text));
    }

    /** {@code scheme://user:secret@host} becomes {@code scheme://***@host}, as {@link ConnectionUrl#redact} does. */
    private static String redactUrls(String text) {
        return text.replaceAll("(\\w[\\w+.-]*://)[^\\s/@]*@", "$1***@");
    }
}
