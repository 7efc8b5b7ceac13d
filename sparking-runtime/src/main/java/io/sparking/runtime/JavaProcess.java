package io.sparking.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JVM started as a child process, with its output in a log file, stopped by its own handle.
 *
 * <p>{@link #close()} stops it (SIGTERM, then SIGKILL after a grace period); a shutdown hook does
 * the same if the parent JVM exits first, so a failing test never leaves a broker or agent behind.
 */
public final class JavaProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JavaProcess.class);
  private static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Thread shutdownHook;
  private final Thread outputPump;

  private JavaProcess(String name, Process process, Path logFile, Thread outputPump) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.outputPump = outputPump;
    this.shutdownHook = new Thread(() -> process.destroyForcibly(), "stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code mainClass} in a new JVM.
   *
   * @param name a short name for logs and thread names
   * @param jvmArgs flags for the JVM (heap, system properties, module opens)
   * @param classpath the classpath, entries separated by the platform separator
   * @param mainClass the class whose {@code main} runs
   * @param args the program arguments
   * @param workDir the working directory of the process
   * @param logFile where stdout and stderr go
   */
  public static JavaProcess start(
      String name,
      List<String> jvmArgs,
      String classpath,
      String mainClass,
      List<String> args,
      Path workDir,
      Path logFile) {
    return start(name, jvmArgs, classpath, mainClass, args, workDir, logFile, null);
  }

  /**
   * Like {@link #start(String, List, String, String, List, Path, Path)}, and also hands every
   * output line to {@code output} as it comes (the log file still gets all of it).
   */
  public static JavaProcess start(
      String name,
      List<String> jvmArgs,
      String classpath,
      String mainClass,
      List<String> args,
      Path workDir,
      Path logFile,
      Consumer<String> output) {
    return start(name, jvmArgs, classpath, mainClass, args, workDir, logFile, output, Map.of());
  }

  /**
   * Like {@link #start(String, List, String, String, List, Path, Path, Consumer)} ({@code output}
   * may be null), with {@code environment} added to the inherited environment (Spark's daemons read
   * {@code SPARK_HOME} and friends).
   */
  public static JavaProcess start(
      String name,
      List<String> jvmArgs,
      String classpath,
      String mainClass,
      List<String> args,
      Path workDir,
      Path logFile,
      Consumer<String> output,
      Map<String, String> environment) {
    List<String> command = new ArrayList<>();
    command.add(JvmFlags.javaExecutable());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.PIPE);
      builder.environment().putAll(environment);
      builder.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
      if (output == null) {
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      }
      Process process = builder.start();
      Thread pump = null;
      if (output != null) {
        pump = new Thread(() -> copyLines(process, logFile, output), "output-" + name);
        pump.setDaemon(true);
        pump.start();
      }
      LOG.info("Started {} (pid {}), log {}", name, process.pid(), logFile);
      return new JavaProcess(name, process, logFile, pump);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not start " + name + " with " + JvmFlags.javaExecutable(), e);
    }
  }

  private static void copyLines(Process process, Path logFile, Consumer<String> output) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer log =
            Files.newBufferedWriter(
                logFile,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write(line);
        log.write(System.lineSeparator());
        log.flush();
        output.accept(line);
      }
    } catch (IOException e) {
      // The process ended or its pipe closed: nothing more to copy.
    }
  }

  /**
   * Writes {@code line} to the process's standard input: a command for a runtime that reads them,
   * such as the Hadoop mini cluster.
   */
  public void sendLine(String line) {
    try {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot send '" + line + "' to " + this, e);
    }
  }

  /** The operating system's process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The file that holds the process's stdout and stderr. */
  public Path logFile() {
    return logFile;
  }

  /**
   * The process's exit code, waiting at most {@code timeout}; empty if it is still running then.
   */
  public java.util.OptionalInt waitFor(Duration timeout) {
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        if (outputPump != null) {
          // The last lines may still be in the pipe: let the pump hand them over before callers
          // read the log.
          outputPump.join(5_000);
        }
        return java.util.OptionalInt.of(process.exitValue());
      }
      return java.util.OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.OptionalInt.empty();
    }
  }

  /** The last {@code lines} lines of the log, for error messages. */
  public String logTail(int lines) {
    try {
      if (!Files.exists(logFile)) {
        return "(no log at " + logFile + ")";
      }
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(
          System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * Sends SIGKILL and waits (bounded) until the process is gone: a crash, as a fault test wants it.
   */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** Sends SIGTERM, waits up to {@code grace}, then SIGKILL. */
  public void stop(Duration grace) {
    if (process.isAlive()) {
      // Through the handle: Process.destroy() also closes this side of the output pipe, which would
      // cut off what
      // the process prints while it stops (a job's last batches and its total).
      process.toHandle().destroy();
      if (waitFor(grace).isEmpty()) {
        LOG.warn("{} (pid {}) did not stop within {}; killing it", name, pid(), grace);
        process.destroyForcibly();
      }
    }
    awaitExit(Duration.ofSeconds(30));
  }

  private void awaitExit(Duration timeout) {
    if (waitFor(timeout).isEmpty()) {
      throw new IllegalStateException(
          name + " (pid " + pid() + ") is still running " + timeout + " after SIGKILL");
    }
  }

  @Override
  public void close() {
    try {
      stop(DEFAULT_GRACE);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // The hook runs anyway; nothing to undo.
      }
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
