package io.sparking.bench;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PullSettings;
import io.sparking.flume.PushSettings;
import io.sparking.flume.SparkingFlume;
import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.PullClient;
import io.sparking.flume.protocol.SparkSinkEvent;
import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FreePorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.ipc.netty.NettyServer;
import org.apache.avro.ipc.specific.SpecificResponder;
import org.apache.flume.source.avro.AvroFlumeEvent;
import org.apache.flume.source.avro.AvroSourceProtocol;
import org.apache.flume.source.avro.Status;
import org.apache.spark.api.java.JavaRDD;

/**
 * The Flume paths. Records are fed while the clock runs, by a {@link FlumeFeeder} in the bench JVM, so the clock
 * starts when feeding starts and stops when the receiving JVM counted the last record. Agents run with a bounded
 * memory channel (their heap is 512 MB, too small to hold 2M events at once), so feeding and draining overlap.
 */
final class FlumePaths {
  static final String RAW_RPC = "flume-raw-rpc";
  static final String PUSH = "flume-push";
  static final String PULL_248 = "flume-pull-sparksink248";
  static final String PULL = "flume-pull-sparking";
  /** The group of the two crossed pull paths (each sink with the other side's drain): run only when named. */
  static final String SPLIT = "flume-split";
  /**
   * Avro sinks draining the push agent's channel side by side. One sink sends one batch at a time and waits for
   * its answer, so the receiver idles between batches; several sinks on one channel is Flume's own way to drain
   * it in parallel.
   */
  static final int PUSH_SINKS = 2;

  /** Connections and batch size of both pull paths: Spark 2.4's and our pull receiver's defaults. */
  private static final int PULL_CONNECTIONS = PullSettings.DEFAULT_CONNECTIONS_PER_AGENT;
  private static final int PULL_BATCH = PullSettings.DEFAULT_BATCH_SIZE;
  /** The plain client's bounds: generous, so only a stuck sink hits them. */
  private static final Duration PLAIN_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PLAIN_CALL_TIMEOUT = Duration.ofSeconds(60);

  /** A pull sink of class {@code type} on the free port {@code SINK_PORT}; both pull paths use the same settings. */
  private static String pullSink(String type) {
    return String.join("\n",
        "a1.sinks.k1.type = " + type,
        "a1.sinks.k1.hostname = 127.0.0.1",
        "a1.sinks.k1.port = ${SINK_PORT}",
        "a1.sinks.k1.threads = 10",
        "a1.sinks.k1.timeout = 30",
        "");
  }

  /** An avro source fed by the bench, a memory channel, and {@code k1}, the sink the path is about. */
  private static final String SOURCE_AND_CHANNEL = FlumeAgent.avroSourceIntoMemoryChannel(FlumeFeeder.BATCH);

  private FlumePaths() {}

  static List<MeasuredPath> all() {
    return List.of(new RawRpc(), new Push(), new PullSpark248(), new PullSparking(),
        new SplitPushAgentIntoCountingServer(), new Split248SinkSparkingReceiver(),
        new SplitSparkingSinkPlainClient());
  }

  /** Latency at a steady offered rate: the push path (two avro sinks). */
  static List<MeasuredPath> latency() {
    return List.of(new Push());
  }

  /** Throughput over the push agent's avro sinks and over the pull receiver's connections. */
  static List<Sections.Scaling> scaling() {
    return List.of(new Sections.Scaling(new Push(), Sections.Scaling.AVRO_SINKS),
        new Sections.Scaling(new PullSparking(), Sections.Scaling.CONNECTIONS));
  }

  /** What every Flume path shares: its group. */
  private abstract static class FlumePath implements MeasuredPath {
    private final String group;

    FlumePath() {
      this("flume");
    }

    FlumePath(String group) {
      this.group = group;
    }

    @Override
    public String group() {
      return group;
    }
  }

  /**
   * A Flume run's setup: once the receiver is ready, {@code onReady} says which port to feed (starting an agent
   * first if the path needs one); closing stops the feeder, then every agent.
   */
  private static final class FeedingSetup implements RunSetup {
    /** Decides, once the receiver listens on {@code receiverPort}, where the feeder sends. */
    @FunctionalInterface
    interface OnReady {
      int feedPort(int receiverPort, List<FlumeAgent> agents);
    }

    private final Map<String, String> receiverArgs;
    private final BenchConfig config;
    private final OnReady onReady;
    private final List<FlumeAgent> agents = new ArrayList<>();
    private FlumeFeeder feeder;

    FeedingSetup(Map<String, String> receiverArgs, BenchConfig config, FlumeAgent started, OnReady onReady) {
      this.receiverArgs = receiverArgs;
      this.config = config;
      this.onReady = onReady;
      if (started != null) {
        agents.add(started);
      }
    }

    @Override
    public Map<String, String> receiverArgs() {
      return receiverArgs;
    }

    @Override
    public void receiverReady(int receiverPort) {
      // A paced variant (the latency section) offers its records at its rate, each carrying its creation time.
      Variant variant = config.variant();
      feeder = new FlumeFeeder(onReady.feedPort(receiverPort, agents), config.offeredRecords(), config.size(),
          (int) variant.offeredRate(), variant.latency());
    }

    @Override
    public Feeder feeder() {
      return feeder;
    }

    @Override
    public void close() {
      try {
        if (feeder != null) {
          feeder.close();
        }
      } finally {
        agents.forEach(FlumeAgent::close);
      }
    }
  }

  /**
   * The push ceiling: the feeder's {@code RpcClient.appendBatch} straight into a plain avro-ipc {@link NettyServer}
   * that implements {@link AvroSourceProtocol} and only counts.
   */
  static final class RawRpc extends FlumePath {
    @Override
    public String id() {
      return RAW_RPC;
    }

    @Override
    public String label() {
      return "Flume push: raw RpcClient.appendBatch into a counting NettyServer (ceiling)";
    }

    @Override
    public RunSetup prepare(BenchEnvironment env, BenchConfig config, int run) {
      // The server binds a port the kernel picks and reports it: a port chosen here could be taken by another
      // process on this shared machine before the receiving JVM binds it (seen as connections closed at once).
      return new FeedingSetup(Map.of(), config, null, (receiverPort, agents) -> receiverPort);
    }

    @Override
    public void receive(Map<String, String> args) throws Exception {
      // The same threads as our push receiver by default (one acceptor, two I/O, eight callers). Avro 1.11.2's
      // constructor without groups terminated its I/O group here before the first connection.
      List<EventLoopGroup> groups = List.of(
          new NioEventLoopGroup(1, new DefaultThreadFactory("raw-rpc-accept", true)),
          new NioEventLoopGroup(2, new DefaultThreadFactory("raw-rpc-io", true)),
          new DefaultEventLoopGroup(PushSettings.DEFAULT_HANDLER_THREADS,
              new DefaultThreadFactory("raw-rpc-handler", true)));
      try {
        NettyServer server = new NettyServer(new SpecificResponder(AvroSourceProtocol.class, new CountingSource()),
            new InetSocketAddress("127.0.0.1", 0), channel -> { }, bootstrap -> { }, groups.get(0), groups.get(1),
            groups.get(2));
        try {
          Progress.ready(server.getPort());
          Progress.awaitDone(SparkCount.timeout(args));
        } finally {
          server.close();
        }
      } finally {
        groups.forEach(EventLoopGroup::shutdownGracefully);
      }
    }

    /** Counts what arrives and answers OK. */
    private static final class CountingSource implements AvroSourceProtocol {
      @Override
      public Status append(AvroFlumeEvent event) {
        Progress.add(1, event.getBody().remaining());
        return Status.OK;
      }

      @Override
      public Status appendBatch(List<AvroFlumeEvent> events) {
        long bytes = 0;
        for (AvroFlumeEvent e : events) {
          bytes += e.getBody().remaining();
        }
        Progress.add(events.size(), bytes);
        return Status.OK;
      }
    }
  }

  /**
   * A real agent's standard avro sinks (batches of {@link FlumeFeeder#BATCH}, {@link #PUSH_SINKS} of them on the one
   * channel, or as many as the variant's connections) into our push receiver, counted in Spark. The agent starts
   * once the receiver listens, so its sinks connect at once.
   */
  static final class Push extends FlumePath {
    @Override
    public String id() {
      return PUSH;
    }

    @Override
    public String label() {
      // No count in the label: the scaling rows vary it (their setting column says how many).
      return "Flume push: an agent's avro sinks into Sparking push receiver (pushStream)";
    }

    @Override
    public String referenceId() {
      return RAW_RPC;
    }

    @Override
    public double goal() {
      return 0.8;
    }

    @Override
    public RunSetup prepare(BenchEnvironment env, BenchConfig config, int run) {
      int receiverPort = FreePorts.next();
      int sinks = config.variant().connectionsOr(PUSH_SINKS);
      return new FeedingSetup(Map.of("port", Integer.toString(receiverPort)), config, null,
          (port, agents) -> startPushAgent(receiverPort, sinks, agents));
    }

    /** Starts an agent whose {@code sinks} avro sinks send to {@code receiverPort}; returns its source's port. */
    static int startPushAgent(int receiverPort, int sinks, List<FlumeAgent> agents) {
      List<String> names = new ArrayList<>();
      StringBuilder sinkLines = new StringBuilder();
      for (int i = 1; i <= sinks; i++) {
        String k = "a1.sinks.k" + i;
        names.add("k" + i);
        sinkLines.append(String.join("\n",
            k + ".type = avro",
            k + ".hostname = 127.0.0.1",
            k + ".port = " + receiverPort,
            k + ".batch-size = " + FlumeFeeder.BATCH,
            k + ".connect-timeout = 10000",
            k + ".request-timeout = 30000",
            ""));
      }
      FlumeAgent agent = FlumeAgent.builder()
          .configuration(FlumeAgent.avroSourceIntoMemoryChannel(FlumeFeeder.BATCH, names) + sinkLines)
          .listenPort("SOURCE_PORT")
          .start();
      agents.add(agent);
      return agent.port("SOURCE_PORT");
    }

    @Override
    public void receive(Map<String, String> args) throws Exception {
      int port = Integer.parseInt(args.get("port"));
      SparkCount.run(args, false, 1, jssc -> SparkingFlume.pushStream(jssc, "127.0.0.1", port)
          .foreachRDD(rdd -> countEvents(rdd, args)));
    }
  }

  /**
   * Counts a batch of events; a run that measures latency reads each body (a copy), where the creation time is,
   * the others only its length.
   */
  private static void countEvents(JavaRDD<FlumeEvent> rdd, Map<String, String> args) {
    if (args.containsKey("latency")) {
      SparkCount.countPayloads(rdd, FlumeEvent::body);
    } else {
      SparkCount.count(rdd, FlumeEvent::bodyLength);
    }
  }

  /** Pull paths: an agent with the pull sink started before the receiver, which then connects to it. */
  private abstract static class PullPath extends FlumePath {
    PullPath() {}

    PullPath(String group) {
      super(group);
    }

    abstract FlumeAgent.Runtime runtime();

    abstract String sinkConfiguration();

    @Override
    public RunSetup prepare(BenchEnvironment env, BenchConfig config, int run) {
      FlumeAgent agent = FlumeAgent.builder()
          .runtime(runtime())
          .configuration(SOURCE_AND_CHANNEL + sinkConfiguration())
          .listenPort("SOURCE_PORT")
          .listenPort("SINK_PORT")
          .start();
      try {
        return new FeedingSetup(Map.of("port", Integer.toString(agent.port("SINK_PORT"))), config, agent,
            (receiverPort, agents) -> agent.port("SOURCE_PORT"));
      } catch (RuntimeException e) {
        agent.close();
        throw e;
      }
    }
  }

  /**
   * The pull reference: Spark 2.4.8's {@code SparkSink} in a Flume 1.11 agent, drained by a plain Avro client with
   * the connections and batch size Spark 2.4's pull receiver used (5, 1000), acking each batch once counted.
   */
  static class PullSpark248 extends PullPath {
    PullSpark248() {}

    PullSpark248(String group) {
      super(group);
    }
    @Override
    public String id() {
      return PULL_248;
    }

    @Override
    public String label() {
      return "Flume pull: Spark 2.4.8 SparkSink drained by a plain Avro client (reference)";
    }

    @Override
    FlumeAgent.Runtime runtime() {
      return FlumeAgent.Runtime.SPARKSINK_248;
    }

    @Override
    String sinkConfiguration() {
      return pullSink("org.apache.spark.streaming.flume.sink.SparkSink");
    }

    @Override
    public void receive(Map<String, String> args) throws Exception {
      drainWithPlainClient(args);
    }

    /** Drains the sink on {@code port} with plain Avro clients: counts and acks each batch, stores nothing. */
    static void drainWithPlainClient(Map<String, String> args) throws Exception {
      InetSocketAddress sink = new InetSocketAddress("127.0.0.1", Integer.parseInt(args.get("port")));
      List<PullClient> connections = new ArrayList<>();
      List<Thread> drains = new ArrayList<>();
      AtomicReference<Exception> failure = new AtomicReference<>();
      try {
        for (int i = 0; i < PULL_CONNECTIONS; i++) {
          PullClient client = PullClient.connect(sink, PLAIN_CONNECT_TIMEOUT, PLAIN_CALL_TIMEOUT);
          connections.add(client);
          Thread drain = new Thread(() -> drain(client, failure), "drain-" + i);
          drain.setDaemon(true);
          drains.add(drain);
        }
        Progress.ready();
        drains.forEach(Thread::start);
        Progress.awaitDone(SparkCount.timeout(args));
        if (failure.get() != null && !Progress.isDone()) {
          throw failure.get();
        }
      } finally {
        // The old sink blocks without bound on an empty channel: closing the connections ends those calls.
        connections.forEach(PullClient::close);
        for (Thread drain : drains) {
          drain.join(5_000);
        }
      }
    }

    private static void drain(PullClient client, AtomicReference<Exception> failure) {
      try {
        while (!Progress.isDone()) {
          EventBatch batch = client.getEventBatch(PULL_BATCH);
          if (!batch.getErrorMsg().isEmpty()) {
            Thread.sleep(10);
            continue;
          }
          long bytes = 0;
          for (SparkSinkEvent e : batch.getEvents()) {
            bytes += e.getBody().remaining();
          }
          client.ack(batch.getSequenceNumber());
          Progress.add(batch.getEvents().size(), bytes);
        }
      } catch (Exception e) {
        // Once the run is done, the connections are closed under calls still waiting: not a failure.
        if (!Progress.isDone()) {
          failure.compareAndSet(null, e);
        }
      }
    }
  }

  /**
   * Split of the push comparison: the same agent as {@code flume-push} into the raw ceiling's counting server, so
   * that against the ceiling only the agent differs, and against {@code flume-push} only the receiver.
   */
  static final class SplitPushAgentIntoCountingServer extends FlumePath {
    SplitPushAgentIntoCountingServer() {
      super(SPLIT);
    }

    @Override
    public String id() {
      return PUSH + "-agent-counting-server";
    }

    @Override
    public String label() {
      return "Flume push split: " + PUSH_SINKS + " avro sinks of one agent into a counting NettyServer";
    }

    @Override
    public String referenceId() {
      return RAW_RPC;
    }

    @Override
    public RunSetup prepare(BenchEnvironment env, BenchConfig config, int run) {
      // The counting server binds a port the kernel picks, as for the ceiling; the agent starts once it listens.
      return new FeedingSetup(Map.of(), config, null,
          (receiverPort, agents) -> Push.startPushAgent(receiverPort, PUSH_SINKS, agents));
    }

    @Override
    public void receive(Map<String, String> args) throws Exception {
      new RawRpc().receive(args);
    }
  }

  /**
   * Split of the pull comparison: the 2.4.8 SparkSink drained by our pull receiver, so that against
   * {@code flume-pull-sparking} only the sink differs.
   */
  static final class Split248SinkSparkingReceiver extends PullSpark248 {
    Split248SinkSparkingReceiver() {
      super(SPLIT);
    }

    @Override
    public String id() {
      return PULL_248 + "-sparking-receiver";
    }

    @Override
    public String label() {
      return "Flume pull split: Spark 2.4.8 SparkSink drained by Sparking pull receiver";
    }

    @Override
    public void receive(Map<String, String> args) throws Exception {
      PullSparking.receiveWithPullStream(args);
    }
  }

  /**
   * Split of the pull comparison: our sink drained by the reference's plain client, so that against
   * {@code flume-pull-sparksink248} only the sink differs.
   */
  static final class SplitSparkingSinkPlainClient extends PullPath {
    SplitSparkingSinkPlainClient() {
      super(SPLIT);
    }

    @Override
    public String id() {
      return PULL + "-plain-client";
    }

    @Override
    public String label() {
      return "Flume pull split: Sparking sink drained by a plain Avro client";
    }

    @Override
    public String referenceId() {
      return PULL_248;
    }

    @Override
    FlumeAgent.Runtime runtime() {
      return FlumeAgent.Runtime.SPARKING;
    }

    @Override
    String sinkConfiguration() {
      return pullSink("io.sparking.flume.sink.SparkingSink");
    }

    @Override
    public void receive(Map<String, String> args) throws Exception {
      PullSpark248.drainWithPlainClient(args);
    }
  }

  /**
   * Our pull sink in an agent, drained by our pull receiver (default settings, or as many connections as the
   * variant says) and counted in Spark.
   */
  static final class PullSparking extends PullPath {
    @Override
    public String id() {
      return PULL;
    }

    @Override
    public String label() {
      return "Flume pull: Sparking sink drained by Sparking pull receiver (pullStream)";
    }

    @Override
    public String referenceId() {
      return PULL_248;
    }

    @Override
    public double goal() {
      return 1.2;
    }

    @Override
    FlumeAgent.Runtime runtime() {
      return FlumeAgent.Runtime.SPARKING;
    }

    @Override
    String sinkConfiguration() {
      return pullSink("io.sparking.flume.sink.SparkingSink");
    }

    @Override
    public void receive(Map<String, String> args) throws Exception {
      receiveWithPullStream(args);
    }

    /** Counts in Spark what {@code pullStream} pulls from the sink on {@code port}. */
    static void receiveWithPullStream(Map<String, String> args) throws Exception {
      InetSocketAddress sink = new InetSocketAddress("127.0.0.1", Integer.parseInt(args.get("port")));
      int connections = Integer.parseInt(args.getOrDefault("connections", Integer.toString(PULL_CONNECTIONS)));
      SparkCount.run(args, false, 1, jssc -> SparkingFlume.pullStream(jssc, List.of(sink),
              PullSettings.builder().connectionsPerAgent(connections).batchSize(PULL_BATCH).build())
          .foreachRDD(rdd -> countEvents(rdd, args)));
    }
  }
}
