package io.sparking.jobs;

import picocli.CommandLine.Command;

/**
 * Counts events pushed by several Flume {@code avro} sinks: one receiver per address, unioned into
 * one stream.
 */
@Command(
    name = "FlumeMultiPushBased",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Counts events pushed by Flume avro sinks to one receiver per address, unioned (write-ahead log"
          + " on).",
      "In local mode the job first checks that it can listen on every port, and fails at once if not."
    })
public final class FlumeMultiPushBased extends FlumeJob.SeveralAgents {

  /** A job reading one push receiver per address. */
  public FlumeMultiPushBased() {
    super(Mode.PUSH);
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new FlumeMultiPushBased(), args);
  }
}
