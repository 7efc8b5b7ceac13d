package io.sparking.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A server that runs in a JVM of its own (a Kafka broker, a Flume agent): stopped by its own
 * handle, and restartable on the same ports and data, for fault tests.
 */
public abstract class ExternalServer implements AutoCloseable {
  private JavaProcess process;

  /**
   * Starts the server's process, hands it to {@link #attach}, and waits until the server serves.
   */
  protected abstract void launch();

  /** What the server is, for messages: "Kafka broker on 127.0.0.1:9092". */
  protected abstract String describe();

  /**
   * The server's own scratch directory (data, logs, configuration), deleted by {@link #close()}.
   */
  protected abstract Path scratchDir();

  /** Launches {@code server}, or closes it (deleting its directory) when it does not start. */
  protected static <T extends ExternalServer> T launchOrClose(T server) {
    try {
      server.launch();
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * Creates a scratch directory named after {@code prefix}, makes the server in it with {@code
   * server}, and launches it as {@link #launchOrClose} does; the directory goes if the server
   * cannot even be made.
   */
  protected static <T extends ExternalServer> T startIn(String prefix, Function<Path, T> server) {
    Path dir = TempDirs.create(prefix);
    T made;
    try {
      made = server.apply(dir);
    } catch (RuntimeException e) {
      TempDirs.deleteRecursively(dir);
      throw e;
    }
    return launchOrClose(made);
  }

  /** Stops the server and deletes its scratch directory. */
  @Override
  public final void close() {
    try {
      stop();
    } finally {
      TempDirs.deleteRecursively(scratchDir());
    }
  }

  /** Records the process that {@link #launch()} started, so that stop, kill and close reach it. */
  protected final void attach(JavaProcess started) {
    this.process = started;
  }

  /** The running process, or null when stopped. */
  protected final JavaProcess process() {
    return process;
  }

  /** The operating system's id of the server process, or -1 when it is stopped. */
  public final long pid() {
    return isRunning() ? process.pid() : -1;
  }

  /** Whether the server process runs. */
  public final boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL after a grace period) and keeps its data for {@link
   * #restart()}.
   */
  public final void stop() {
    if (process != null) {
      try {
        process.close();
      } finally {
        process = null;
      }
    }
  }

  /** Kills the server with SIGKILL, as a crash would, and keeps its data for {@link #restart()}. */
  public final void kill() {
    if (process != null) {
      try {
        process.kill();
        process.close();
      } finally {
        process = null;
      }
    }
  }

  /**
   * Starts the server again on the same ports and data after {@link #stop()} or {@link #kill()}.
   */
  public final void restart() {
    if (process != null) {
      throw new IllegalStateException(
          describe() + " (pid " + process.pid() + ") is still running; stop or kill" + " it first");
    }
    launch();
  }

  /** Writes a configuration file of the server; returns {@code file}. */
  protected static Path writeFile(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /**
   * Writes {@code log4j2.properties} into {@code dir}: everything at {@code rootLevel} and above to
   * the console (the process's log file), one line per event, then {@code moreLines}; returns the
   * file.
   */
  protected static Path writeConsoleLogConfig(Path dir, String rootLevel, String... moreLines) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = " + rootLevel,
                "rootLogger.appenderRef.out.ref = out"));
    lines.addAll(List.of(moreLines));
    lines.add("");
    return writeFile(dir.resolve("log4j2.properties"), String.join("\n", lines));
  }

  /** Waits between two readiness checks; an interrupt ends the whole wait. */
  protected static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for a server to become ready", e);
    }
  }
}
