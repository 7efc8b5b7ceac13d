package io.sparking.examples;

import java.net.InetSocketAddress;
import java.util.List;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Counts events pulled from several agents running Sparking's sink, through one polling receiver. */
@Command(name = "FlumeMultiPullBased", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Counts events pulled from the Sparking sinks of several Flume agents by one polling receiver"
        + " (write-ahead log on).",
        "The job first connects to every agent once, and fails within --connect-timeout if it cannot."})
public final class FlumeMultiPullBased extends FlumeJob {
  @Parameters(index = "1", paramLabel = "<host:port,...>",
      description = "Addresses of the agents' Sparking sinks, separated by commas")
  String addressList;

  /** A job pulling from several agents. */
  public FlumeMultiPullBased() {
    super(Mode.PULL);
  }

  @Override
  protected List<InetSocketAddress> parseAddresses() {
    return addressList(addressList);
  }

  @Override
  protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
    reporter.countEachBatch(bodies(jssc));
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    System.exit(StreamingJob.run(new FlumeMultiPullBased(), args));
  }
}
