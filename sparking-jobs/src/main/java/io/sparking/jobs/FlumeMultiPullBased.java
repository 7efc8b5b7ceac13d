package io.sparking.jobs;

import picocli.CommandLine.Command;

/** Counts events pulled from several agents running Sparking's sink, through one pull receiver. */
@Command(
    name = "FlumeMultiPullBased",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Counts events pulled from the Sparking sinks of several Flume agents by one pull receiver"
          + " (write-ahead log on).",
      "The job first connects to every agent once, and fails within --connect-timeout if it cannot."
    })
public final class FlumeMultiPullBased extends FlumeJob.SeveralAgents {

  /** A job pulling from several agents. */
  public FlumeMultiPullBased() {
    super(Mode.PULL);
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new FlumeMultiPullBased(), args);
  }
}
