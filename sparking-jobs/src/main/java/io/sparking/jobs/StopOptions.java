package io.sparking.jobs;

import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** When a job stops by itself, the same options for every job: after a time, or a record count. */
final class StopOptions {
  @Option(
      names = "--duration",
      paramLabel = "<seconds>",
      defaultValue = "0",
      description =
          "Stop gracefully after this many seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE})")
  long durationSeconds;

  @Option(
      names = "--max-records",
      paramLabel = "<n>",
      defaultValue = "0",
      description = "Stop gracefully once this many records were processed; 0 for no limit")
  long maxRecords;

  /** The run's deadline on {@link System#nanoTime()}'s clock, counted from now. */
  long deadlineFromNow() {
    return durationSeconds > 0
        ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds)
        : Long.MAX_VALUE;
  }

  /** Whether a run with {@code deadline} that processed {@code records} should stop now. */
  boolean reached(long deadline, long records) {
    return (durationSeconds > 0 && System.nanoTime() - deadline >= 0)
        || (maxRecords > 0 && records >= maxRecords);
  }
}
