package io.sparking.jobs;

import io.sparking.flume.FlumeAddresses;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.FlumePreflight;
import io.sparking.flume.PullSettings;
import io.sparking.flume.PushSettings;
import io.sparking.flume.SparkingFlume;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * What the Flume jobs share: their addresses, parsed and checked by the connector, the start-up
 * check, the write-ahead log, and the stream itself.
 *
 * <p>Push jobs run receivers that listen where Flume's {@code avro} sinks send. The receivers run
 * inside Spark, where a port that is already taken only shows as a receiver restarting over and
 * over; so in local mode the job binds each port once on the driver (and releases it) before Spark
 * starts, and fails with exit 1 naming the port. On a cluster the receivers run on executors, which
 * the driver cannot check.
 *
 * <p>Pull jobs connect to agents running Sparking's sink; the job first opens one TCP connection to
 * each agent, bounded by {@code --connect-timeout}, so that an agent that is down fails the job at
 * once rather than leaving the receivers to retry for ever.
 *
 * <p>A job picks its arguments by extending {@link OneAgent} ({@code <host> <port>}, a word count)
 * or {@link SeveralAgents} ({@code <host:port,...>}, a count), and its side by the {@link Mode} it
 * passes up.
 */
abstract class FlumeJob extends StreamingJob {
  /** How Spark meets the agents. */
  enum Mode {
    /** Flume's avro sinks send to receivers listening on the addresses. */
    PUSH,
    /** Receivers pull from Sparking sinks listening on the addresses. */
    PULL
  }

  @Mixin SourceCheckOptions sourceCheck = new SourceCheckOptions();

  private final Mode mode;
  private List<InetSocketAddress> addresses;

  FlumeJob(Mode mode) {
    this.mode = mode;
  }

  /** The arguments {@code <host> <port>} of one agent, and a word count of its events. */
  abstract static class OneAgent extends FlumeJob {
    @Parameters(
        index = "1",
        paramLabel = "<host>",
        description =
            "Push: the address the receiver listens on, the"
                + " avro sink's hostname. Pull: the host of the agent's Sparking sink")
    String host;

    @Parameters(
        index = "2",
        paramLabel = "<port>",
        description =
            "Push: the port the receiver listens on, the avro"
                + " sink's port. Pull: the port of the agent's Sparking sink")
    String port;

    OneAgent(Mode mode) {
      super(mode);
    }

    @Override
    protected List<InetSocketAddress> parseAddresses() {
      return List.of(FlumeAddresses.of(host, port));
    }

    @Override
    protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
      reporter.countWordsOfEachBatch(bodies(jssc));
    }
  }

  /** The argument {@code <host:port,...>} of several agents, and a count of their events. */
  abstract static class SeveralAgents extends FlumeJob {
    @Parameters(
        index = "1",
        paramLabel = "<host:port,...>",
        description =
            "Addresses separated by commas. Push: one"
                + " receiver listens on each, an avro sink's target. Pull: the agents' Sparking sinks")
    String addressList;

    SeveralAgents(Mode mode) {
      super(mode);
    }

    @Override
    protected List<InetSocketAddress> parseAddresses() {
      return FlumeAddresses.parseList("addresses", addressList);
    }

    @Override
    protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
      reporter.countEachBatch(bodies(jssc));
    }
  }

  /** The job's addresses from its positional arguments; the connector refuses bad ones. */
  protected abstract List<InetSocketAddress> parseAddresses();

  /**
   * The stream of event bodies: one push receiver per address, or one pull receiver for all agents.
   */
  protected JavaDStream<String> bodies(JavaStreamingContext jssc) {
    JavaDStream<FlumeEvent> events =
        mode == Mode.PUSH
            ? SparkingFlume.pushStreams(jssc, addresses, PushSettings.defaults())
            : SparkingFlume.pullStream(jssc, addresses, PullSettings.defaults());
    return events.map(FlumeEvent::bodyAsString);
  }

  /** One per address when pushed to, one for all agents when pulling. */
  @Override
  protected int receivers() {
    return mode == Mode.PUSH ? addresses.size() : 1;
  }

  /** The addresses: where the receivers listen, or the agents they pull from. */
  @Override
  protected Map<String, String> sources() {
    return Map.of(
        "addresses",
        addresses.stream()
            .map(a -> a.getHostString() + ":" + a.getPort())
            .collect(Collectors.joining(",")));
  }

  @Override
  protected void validate() {
    sourceCheck.timeout();
    addresses = parseAddresses();
  }

  @Override
  protected void preflight() {
    if (mode == Mode.PUSH) {
      if (localCores(master).isPresent()) {
        FlumePreflight.checkCanListen(addresses);
      }
    } else {
      sourceCheck.timeout().ifPresent(timeout -> FlumePreflight.checkReachable(addresses, timeout));
    }
  }

  @Override
  protected void configure(SparkConf conf) {
    // Push receivers answer a batch, and pull receivers ack it, only once it is stored: with the
    // log written ahead
    // that means a driver failure loses nothing the agents let go of.
    conf.setIfMissing("spark.streaming.receiver.writeAheadLog.enable", "true");
    conf.setIfMissing("spark.streaming.backpressure.enabled", "true");
  }
}
