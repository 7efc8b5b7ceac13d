package io.sparking.compat.examples;

import static org.awaitility.Awaitility.await;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.JvmFlags;
import io.sparking.runtime.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One of the Spark 2.4 example programs running as a job of its own: a local-mode Spark JVM started
 * from this module's test classpath, as {@code spark-submit --master local[4]} would, writing each
 * batch under {@code <dir>/out/batch-<time>}. {@link #close()} stops the JVM by its handle and
 * deletes its directory.
 */
final class ExampleJob implements AutoCloseable {
  /** Bound on anything a test waits for from a job. */
  static final Duration WAIT = Duration.ofSeconds(120);

  private static final Pattern RECEIVED = Pattern.compile("Received (\\d+) flume events\\.");

  private final Path dir;
  private final Path output;
  private final JavaProcess process;

  private ExampleJob(Path dir, Path output, JavaProcess process) {
    this.dir = dir;
    this.output = output;
    this.process = process;
  }

  /**
   * Starts {@code mainClass} with {@code args} and the output directory as its last argument.
   *
   * @param writeAheadLog whether {@code spark.streaming.receiver.writeAheadLog.enable} is on
   */
  static ExampleJob start(Class<?> mainClass, List<String> args, boolean writeAheadLog) {
    return start(mainClass.getName(), args, writeAheadLog);
  }

  /** The same for a Scala object, named by its class. */
  static ExampleJob start(String mainClass, List<String> args, boolean writeAheadLog) {
    Path dir = TempDirs.create("sparking-compat-job-");
    Path output = dir.resolve("out");
    List<String> flags = new ArrayList<>(JvmFlags.forLocalJob());
    flags.add("-Dspark.master=local[4]");
    flags.add("-Dspark.ui.enabled=false");
    flags.add("-Dspark.driver.host=127.0.0.1");
    flags.add("-Dspark.driver.bindAddress=127.0.0.1");
    flags.add("-Dspark.streaming.receiver.writeAheadLog.enable=" + writeAheadLog);
    List<String> all = new ArrayList<>(args);
    all.add(output.toString());
    try {
      String name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
      return new ExampleJob(
          dir,
          output,
          JavaProcess.start(
              name,
              flags,
              System.getProperty("java.class.path"),
              mainClass,
              all,
              dir,
              dir.resolve("job.log")));
    } catch (RuntimeException e) {
      TempDirs.deleteRecursively(dir);
      throw e;
    }
  }

  /**
   * Waits until the completed batches hold at least {@code count} lines; fails at once if the job
   * died.
   */
  List<String> awaitLines(int count) {
    await("" + count + " lines from " + process)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError(
                    process
                        + " ended before it wrote "
                        + count
                        + " lines. Log tail:\n"
                        + process.logTail(60));
              }
              return lines().size() >= count;
            });
    return lines();
  }

  /**
   * Every line of every batch whose output is complete (Hadoop's committer wrote its {@code
   * _SUCCESS}).
   */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    if (!Files.isDirectory(output)) {
      return lines;
    }
    try (Stream<Path> batches = Files.list(output)) {
      for (Path batch :
          batches.filter(p -> p.getFileName().toString().startsWith("batch-")).toList()) {
        if (!Files.exists(batch.resolve("_SUCCESS"))) {
          continue;
        }
        try (Stream<Path> parts = Files.list(batch)) {
          for (Path part :
              parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
            lines.addAll(Files.readAllLines(part, StandardCharsets.UTF_8));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  /**
   * The sum of the counts the job printed as {@code Received <n> flume events.} (Spark's {@code
   * print()}).
   */
  long printedEventCount() {
    Matcher m = RECEIVED.matcher(log());
    long total = 0;
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }

  /** Everything the job logged so far. */
  String log() {
    try {
      return Files.readString(process.logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last lines of the job's log, for assertion messages. */
  String logTail() {
    return process.logTail(60);
  }

  @Override
  public void close() {
    try {
      process.close();
    } finally {
      TempDirs.deleteRecursively(dir);
    }
  }
}
