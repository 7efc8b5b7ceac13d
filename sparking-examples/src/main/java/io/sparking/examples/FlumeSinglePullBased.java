package io.sparking.examples;

import java.net.InetSocketAddress;
import java.util.List;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Word count over events pulled from one agent running Sparking's sink: each batch is acknowledged to the sink only
 * after Spark stored it (write-ahead log on), so the agent's channel keeps what Spark does not have.
 */
@Command(name = "FlumeSinglePullBased", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Counts events and words pulled from the Sparking sink of one Flume agent at <host>:<port>"
        + " (write-ahead log on).",
        "The job first connects to the agent once, and fails within --connect-timeout if it cannot."})
public final class FlumeSinglePullBased extends FlumeJob {
  @Parameters(index = "1", paramLabel = "<host>", description = "Host of the agent: its Sparking sink's hostname")
  String host;

  @Parameters(index = "2", paramLabel = "<port>", description = "Port of the agent's Sparking sink")
  String port;

  /** A job pulling from one agent. */
  public FlumeSinglePullBased() {
    super(Mode.PULL);
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
    System.exit(StreamingJob.run(new FlumeSinglePullBased(), args));
  }
}
