package io.sparking.jobs;

import picocli.CommandLine.Command;

/**
 * Word count over events pushed by a Flume {@code avro} sink to one receiver: the receiver answers
 * each batch only after storing it (write-ahead log on), so the sink keeps in its channel what
 * Spark does not have.
 */
@Command(
    name = "FlumeSinglePushBased",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Counts events and words pushed by a Flume avro sink to one receiver listening on <host>:<port>"
          + " (write-ahead log on).",
      "In local mode the job first checks that it can listen on the port, and fails at once if not."
    })
public final class FlumeSinglePushBased extends FlumeJob.OneAgent {

  /** A job reading one push receiver. */
  public FlumeSinglePushBased() {
    super(Mode.PUSH);
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new FlumeSinglePushBased(), args);
  }
}
