package io.sparking.examples;

import java.net.InetSocketAddress;
import java.util.List;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Word count over events pushed by a Flume {@code avro} sink to one receiver: the receiver answers each batch only
 * after storing it (write-ahead log on), so the sink keeps in its channel what Spark does not have.
 */
@Command(name = "FlumeSinglePushBased", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Counts events and words pushed by a Flume avro sink to one receiver listening on <host>:<port>"
        + " (write-ahead log on).",
        "In local mode the job first checks that it can listen on the port, and fails at once if not."})
public final class FlumeSinglePushBased extends FlumeJob {
  @Parameters(index = "1", paramLabel = "<host>",
      description = "Address the receiver listens on: the avro sink's hostname")
  String host;

  @Parameters(index = "2", paramLabel = "<port>", description = "Port the receiver listens on: the avro sink's port")
  String port;

  /** A job reading one push receiver. */
  public FlumeSinglePushBased() {
    super(Mode.PUSH);
  }

  @Override
  protected List<InetSocketAddress> parseAddresses() {
    return List.of(address(host, port));
  }

  @Override
  protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
    reporter.countWordsOfEachBatch(bodies(jssc));
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    System.exit(StreamingJob.run(new FlumeSinglePushBased(), args));
  }
}
