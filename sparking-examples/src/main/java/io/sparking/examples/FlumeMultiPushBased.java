package io.sparking.examples;

import java.net.InetSocketAddress;
import java.util.List;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Counts events pushed by several Flume {@code avro} sinks: one receiver per address, unioned into one stream. */
@Command(name = "FlumeMultiPushBased", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Counts events pushed by Flume avro sinks to one receiver per address, unioned (write-ahead log"
        + " on).",
        "In local mode the job first checks that it can listen on every port, and fails at once if not."})
public final class FlumeMultiPushBased extends FlumeJob {
  @Parameters(index = "1", paramLabel = "<host:port,...>",
      description = "Addresses the receivers listen on, one per avro sink target, separated by commas")
  String addressList;

  /** A job reading one push receiver per address. */
  public FlumeMultiPushBased() {
    super(Mode.PUSH);
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
    System.exit(StreamingJob.run(new FlumeMultiPushBased(), args));
  }
}
