package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.JvmFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * Runs jobs as their users do: each in a JVM of its own, through the launcher's {@code main}, with
 * the demo's JVM flags, its output in a log under the test's directory (also the job's working
 * directory).
 */
final class JobRunner {
  /** The longest a job run may take before the test fails. */
  static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);

  private final Path work;

  JobRunner(Path work) {
    this.work = work;
  }

  /** A finished run: its exit code and every line it printed. */
  record JobRun(int exit, List<String> lines) {
    /** The last lines, for assertion messages. */
    String tail() {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** All the output as one text. */
    String output() {
      return String.join("\n", lines);
    }

    /**
     * The lines {@code receiver <name> (stream <id>) started on executor <id> at <host>}, one per
     * receiver start.
     */
    List<String> receiverLines() {
      return lines.stream()
          .filter(l -> l.matches("receiver \\S+ \\(stream \\d+\\) started on executor .*"))
          .toList();
    }

    /** The job's {@code total records=<n>}, or -1 when it printed none. */
    long total() {
      return lines.stream()
          .filter(l -> l.startsWith("total records="))
          .mapToLong(l -> Long.parseLong(l.substring("total records=".length()).trim()))
          .findFirst()
          .orElse(-1);
    }
  }

  /**
   * Runs {@code args} (the job's name first) to its end, at most {@link #JOB_TIMEOUT}; always stops
   * the process.
   */
  JobRun runToEnd(String... args) throws IOException {
    Path log = work.resolve(args[0] + "-" + System.nanoTime() + ".log");
    try (JavaProcess job = start(log, args)) {
      OptionalInt exit = job.waitFor(JOB_TIMEOUT);
      assertThat(exit)
          .as("%s exited within %s; log:%n%s", args[0], JOB_TIMEOUT, job.logTail(40))
          .isPresent();
      return new JobRun(exit.getAsInt(), read(log));
    }
  }

  /**
   * Starts {@code args} (the job's name first) with its output in {@code log}; the caller closes
   * the process.
   */
  JavaProcess start(Path log, String... args) {
    return start(log, List.of(), args);
  }

  /**
   * Like {@link #start(Path, String...)} with extra JVM flags, such as {@code
   * -Dspark.streaming.receiver.maxRate=..} (Spark reads {@code spark.*} system properties into the
   * job's configuration).
   */
  JavaProcess start(Path log, List<String> jvmFlags, String... args) {
    List<String> flags = new java.util.ArrayList<>(JvmFlags.forLocalJob());
    flags.addAll(jvmFlags);
    return JavaProcess.start(
        args[0],
        flags,
        System.getProperty("java.class.path"),
        Sparking.class.getName(),
        List.of(args),
        work,
        log);
  }

  /** The lines of {@code log} so far; none when it does not exist yet. */
  static List<String> read(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }
}
