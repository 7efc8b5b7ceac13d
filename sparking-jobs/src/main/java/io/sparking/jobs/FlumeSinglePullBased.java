package io.sparking.jobs;

import picocli.CommandLine.Command;

/**
 * Word count over events pulled from one agent running Sparking's sink: each batch is acknowledged
 * to the sink only after Spark stored it (write-ahead log on), so the agent's channel keeps what
 * Spark does not have.
 */
@Command(
    name = "FlumeSinglePullBased",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Counts events and words pulled from the Sparking sink of one Flume agent at <host>:<port>"
          + " (write-ahead log on).",
      "The job first connects to the agent once, and fails within --connect-timeout if it cannot."
    })
public final class FlumeSinglePullBased extends FlumeJob.OneAgent {

  /** A job pulling from one agent. */
  public FlumeSinglePullBased() {
    super(Mode.PULL);
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new FlumeSinglePullBased(), args);
  }
}
