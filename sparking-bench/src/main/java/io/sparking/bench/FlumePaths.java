package io.sparking.bench;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.sparking.bench.ReceiverRun.FlumePull;
import io.sparking.bench.ReceiverRun.FlumePush;
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
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.ipc.netty.NettyServer;
import org.apache.avro.ipc.specific.SpecificResponder;
import org.apache.flume.source.avro.AvroFlumeEvent;
import org.apache.flume.source.avro.AvroSourceProtocol;
import org.apache.flume.source.avro.Status;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The Flume paths. Records are fed while the clock runs, by a {@link FlumeFeeder} in the bench JVM,
 * so the clock starts when feeding starts and stops when the receiving JVM counted the last record.
 * Agents run with a bounded memory channel (their heap is 512 MB, too small to hold 2M events at
 * once), so feeding and draining overlap.
 */
final class FlumePaths {
  /**
   * The group of the split paths, each between a pull path and its reference (each pull sink with
   * the other's drain): run only when named.
   */
  static final String SPLIT = "flume-split";

  private static final String FLUME = "flume";

  /**
   * Avro sinks draining the push agent's channel side by side. One sink sends one batch at a time
   * and waits for its answer, so the receiver idles between batches; several sinks on one channel
   * is Flume's own way to drain it in parallel.
   */
  static final int PUSH_SINKS = 2;

  /**
   * Connections and batch size of both pull paths: Spark 2.4's and our pull receiver's defaults.
   */
  private static final int PULL_CONNECTIONS = PullSettings.DEFAULT_CONNECTIONS_PER_AGENT;

  private static final int PULL_BATCH = PullSettings.DEFAULT_BATCH_SIZE;

  /** The plain client's bounds: generous, so only a stuck sink hits them. */
  private static final Duration PLAIN_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration PLAIN_CALL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * An avro source fed by the bench, a memory channel, and {@code k1}, the sink the path is about.
   */
  private static final String SOURCE_AND_CHANNEL =
      FlumeAgent.avroSourceIntoMemoryChannel(FlumeFeeder.BATCH);

  static final MeasuredPath RAW_RPC =
      new MeasuredPath(
          FLUME,
          "flume-raw-rpc",
          "Flume push: raw RpcClient.appendBatch into a counting NettyServer (ceiling)",
          null,
          List.of(),
          new RawRpc());

  /**
   * The push path's reference: the same agent as {@link #PUSH} into the ceiling's counting server,
   * so that against {@link #PUSH} only the receiver differs, and against the ceiling only the
   * agent.
   */
  static final MeasuredPath PUSH_AGENT =
      new MeasuredPath(
          FLUME,
          "flume-push-agent-counting-server",
          "Flume push: "
              + PUSH_SINKS
              + " avro sinks of one agent into a counting NettyServer (reference)",
          RAW_RPC.id(),
          new PushAgentIntoCountingServer());

  // No count in the label: the scaling rows vary it (their setting column says how many).
  static final MeasuredPath PUSH =
      new MeasuredPath(
          FLUME,
          "flume-push",
          "Flume push: an agent's avro sinks into Sparking push receiver (pushStream)",
          PUSH_AGENT.id(),
          List.of(new Goal.CpuPerRecordAtMostAbove(3.0), new Goal.RateAtLeast(0.6)),
          new Push());

  /**
   * The pull reference: Spark 2.4.8's {@code SparkSink} in a Flume 1.11 agent, drained by a plain
   * Avro client with the connections and batch size Spark 2.4's pull receiver used (5, 1000),
   * acking each batch once counted.
   */
  static final MeasuredPath PULL_248 =
      new MeasuredPath(
          FLUME,
          "flume-pull-sparksink248",
          "Flume pull: Spark 2.4.8 SparkSink drained by a plain Avro client (reference)",
          null,
          List.of(),
          new Pull(PullSink.SPARKSINK_248, PullDrain.PLAIN_CLIENTS));

  /**
   * Our pull sink in an agent, drained by our pull receiver (default settings, or as many
   * connections as the variant says) and counted in Spark.
   */
  static final MeasuredPath PULL =
      new MeasuredPath(
          FLUME,
          "flume-pull-sparking",
          "Flume pull: Sparking sink drained by Sparking pull receiver (pullStream)",
          PULL_248.id(),
          List.of(new Goal.RateAtLeast(1.0)),
          new Pull(PullSink.SPARKING, PullDrain.PULL_STREAM));

  /**
   * Our pull sink drained by the Structured Streaming source ({@code format("flume")}, default
   * connections and batch size), which syncs every batch into its log under the query's checkpoint
   * before acking it, counted per micro-batch: beside {@link #PULL} in the same run.
   */
  static final MeasuredPath PULL_STRUCTURED =
      new MeasuredPath(
          FLUME,
          "flume-pull-structured",
          "Flume pull: Sparking sink drained by the Structured Streaming source (format(\"flume\"))",
          PULL.id(),
          new Pull(PullSink.SPARKING, PullDrain.STRUCTURED));

  /** Split of the pull comparison: against {@link #PULL} only the sink differs. */
  static final MeasuredPath SPLIT_248_SINK =
      new MeasuredPath(
          SPLIT,
          PULL_248.id() + "-sparking-receiver",
          "Flume pull split: Spark 2.4.8 SparkSink drained by Sparking pull receiver",
          null,
          List.of(),
          new Pull(PullSink.SPARKSINK_248, PullDrain.PULL_STREAM));

  /** Split of the pull comparison: against {@link #PULL_248} only the sink differs. */
  static final MeasuredPath SPLIT_PLAIN_CLIENT =
      new MeasuredPath(
          SPLIT,
          PULL.id() + "-plain-client",
          "Flume pull split: Sparking sink drained by a plain Avro client",
          PULL_248.id(),
          new Pull(PullSink.SPARKING, PullDrain.PLAIN_CLIENTS));

  private FlumePaths() {}

  static List<MeasuredPath> all() {
    return List.of(
        RAW_RPC,
        PUSH_AGENT,
        PUSH,
        PULL_248,
        PULL,
        PULL_STRUCTURED,
        SPLIT_248_SINK,
        SPLIT_PLAIN_CLIENT);
  }

  /** Latency at a steady offered rate: the push path (two avro sinks). */
  static List<MeasuredPath> latency() {
    return List.of(PUSH);
  }

  /** Throughput over the push agent's avro sinks and over the pull receiver's connections. */
  static List<Sections.Scaling> scaling() {
    return List.of(
        new Sections.Scaling(PUSH, Sections.Scaling.AVRO_SINKS),
        new Sections.Scaling(PULL, Sections.Scaling.CONNECTIONS));
  }

  /**
   * A Flume run's setup: once the receiver is ready, {@code onReady} says which port to feed
   * (starting an agent first if the path needs one); closing stops the feeder, then every agent.
   */
  private static final class FeedingSetup implements RunSetup {
    /** Decides, once the receiver listens on {@code receiverPort}, where the feeder sends. */
    @FunctionalInterface
    interface OnReady {
      int feedPort(int receiverPort, List<FlumeAgent> agents);
    }

    private final ReceiverRun.Source source;
    private final BenchConfig config;
    private final OnReady onReady;
    private final List<FlumeAgent> agents = new ArrayList<>();
    private FlumeFeeder feeder;

    FeedingSetup(
        ReceiverRun.Source source, BenchConfig config, FlumeAgent started, OnReady onReady) {
      this.source = source;
      this.config = config;
      this.onReady = onReady;
      if (started != null) {
        agents.add(started);
      }
    }

    @Override
    public ReceiverRun.Source source() {
      return source;
    }

    @Override
    public void receiverReady(int receiverPort) {
      // A paced variant (the latency section) offers its records at its rate, each carrying its
      // creation time.
      Variant variant = config.variant();
      feeder =
          new FlumeFeeder(
              onReady.feedPort(receiverPort, agents),
              config.records(),
              config.size(),
              (int) variant.offeredRate(),
              variant.latency());
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
   * The push ceiling: the feeder's {@code RpcClient.appendBatch} straight into a plain avro-ipc
   * {@link NettyServer} that implements {@link AvroSourceProtocol} and only counts.
   */
  private static final class RawRpc implements MeasuredPath.Halves {
    @Override
    public RunSetup prepare(String pathId, BenchEnvironment env, BenchConfig config, int run) {
      // The server binds a port the kernel picks and reports it: a port chosen here could be taken
      // by another
      // process on this shared machine before the receiving JVM binds it (seen as connections
      // closed at once).
      return new FeedingSetup(
          new FlumePush(0), config, null, (receiverPort, agents) -> receiverPort);
    }

    @Override
    public void receive(ReceiverRun run) throws Exception {
      countWithRawServer(run);
    }

    /**
     * Counts what the feeder (or an agent) sends to a counting server on the push source's port.
     */
    static void countWithRawServer(ReceiverRun run) throws Exception {
      // The same threads as our push receiver by default (one acceptor, two I/O, eight callers).
      // Avro 1.11.2's
      // constructor without groups terminated its I/O group here before the first connection.
      List<EventLoopGroup> groups =
          List.of(
              new NioEventLoopGroup(1, new DefaultThreadFactory("raw-rpc-accept", true)),
              new NioEventLoopGroup(2, new DefaultThreadFactory("raw-rpc-io", true)),
              new DefaultEventLoopGroup(
                  PushSettings.DEFAULT_THREADS_PER_RECEIVER,
                  new DefaultThreadFactory("raw-rpc-handler", true)));
      try {
        NettyServer server =
            new NettyServer(
                new SpecificResponder(AvroSourceProtocol.class, new CountingSource()),
                new InetSocketAddress("127.0.0.1", run.flumePush().port()),
                channel -> {},
                bootstrap -> {},
                groups.get(0),
                groups.get(1),
                groups.get(2));
        try {
          Progress.ready(server.getPort());
          if (Progress.awaitDone(run.target().timeout())) {
            // The last batch is counted before its answer is written, and close() shuts the I/O
            // threads, which drops the connection: the sender would miss that answer and send the
            // batch again into a closing server. Let every answer go out first.
            awaitTasksHandedSoFar(groups.get(2)); // handlers: each answer handed to its connection
            awaitTasksHandedSoFar(groups.get(1)); // I/O: each answer written to its socket
          }
        } finally {
          server.close();
        }
      } finally {
        groups.forEach(EventLoopGroup::shutdownGracefully);
      }
    }

    /**
     * Returns once each thread of {@code group} ran every task it was handed before this call: a
     * thread runs its tasks in order, so a no-op queued behind them ends after them.
     */
    private static void awaitTasksHandedSoFar(EventLoopGroup group) throws InterruptedException {
      for (EventExecutor thread : group) {
        thread.submit(() -> {}).sync();
      }
    }

    /** Counts what arrives and answers OK. */
    private static final class CountingSource implements AvroSourceProtocol {
      @Override
      public Status append(AvroFlumeEvent event) {
        long start = System.currentTimeMillis();
        Progress.received(event.getBody());
        Progress.report(1, event.getBody().remaining(), start, System.currentTimeMillis());
        return Status.OK;
      }

      @Override
      public Status appendBatch(List<AvroFlumeEvent> events) {
        long start = System.currentTimeMillis();
        long bytes = 0;
        for (AvroFlumeEvent e : events) {
          Progress.received(e.getBody());
          bytes += e.getBody().remaining();
        }
        Progress.report(events.size(), bytes, start, System.currentTimeMillis());
        return Status.OK;
      }
    }
  }

  /**
   * A real agent's standard avro sinks (batches of {@link FlumeFeeder#BATCH}, {@link #PUSH_SINKS}
   * of them on the one channel, or as many as the variant's connections) into our push receiver,
   * counted in Spark. The agent starts once the receiver listens, so its sinks connect at once.
   */
  private static final class Push implements MeasuredPath.Halves {
    @Override
    public RunSetup prepare(String pathId, BenchEnvironment env, BenchConfig config, int run) {
      int receiverPort = FreePorts.next();
      int sinks = config.variant().connectionsOr(PUSH_SINKS);
      return new FeedingSetup(
          new FlumePush(receiverPort),
          config,
          null,
          (port, agents) -> startPushAgent(receiverPort, sinks, agents));
    }

    /**
     * Starts an agent whose {@code sinks} avro sinks send to {@code receiverPort}; returns its
     * source's port.
     */
    static int startPushAgent(int receiverPort, int sinks, List<FlumeAgent> agents) {
      List<String> names = new ArrayList<>();
      StringBuilder sinkLines = new StringBuilder();
      for (int i = 1; i <= sinks; i++) {
        String k = "a1.sinks.k" + i;
        names.add("k" + i);
        sinkLines.append(
            String.join(
                "\n",
                k + ".type = avro",
                k + ".hostname = 127.0.0.1",
                k + ".port = " + receiverPort,
                k + ".batch-size = " + FlumeFeeder.BATCH,
                k + ".connect-timeout = 10000",
                k + ".request-timeout = 30000",
                ""));
      }
      FlumeAgent agent =
          FlumeAgent.builder()
              .configuration(
                  FlumeAgent.avroSourceIntoMemoryChannel(FlumeFeeder.BATCH, names) + sinkLines)
              .listenPort("SOURCE_PORT")
              .start();
      agents.add(agent);
      return agent.port("SOURCE_PORT");
    }

    @Override
    public void receive(ReceiverRun run) throws Exception {
      int port = run.flumePush().port();
      SparkCount.run(
          run,
          false,
          1,
          jssc ->
              SparkingFlume.pushStream(jssc, "127.0.0.1", port)
                  .foreachRDD(FlumePaths::countEvents));
    }
  }

  /**
   * Counts a batch of events from their bodies: a copy each, as any user of the stream reading a
   * body pays, which holds the id and, in latency runs, the creation time.
   */
  private static void countEvents(JavaRDD<FlumeEvent> rdd) {
    SparkCount.countPayloads(rdd, FlumeEvent::body);
  }

  /** The push agent of {@link Push} into the counting server of {@link RawRpc}. */
  private static final class PushAgentIntoCountingServer implements MeasuredPath.Halves {
    @Override
    public RunSetup prepare(String pathId, BenchEnvironment env, BenchConfig config, int run) {
      // The counting server binds a port the kernel picks, as for the ceiling; the agent starts
      // once it listens.
      return new FeedingSetup(
          new FlumePush(0),
          config,
          null,
          (receiverPort, agents) -> Push.startPushAgent(receiverPort, PUSH_SINKS, agents));
    }

    @Override
    public void receive(ReceiverRun run) throws Exception {
      RawRpc.countWithRawServer(run);
    }
  }

  /** The pull sinks the pull paths run in an agent, each with the same settings. */
  enum PullSink {
    SPARKSINK_248(
        FlumeAgent.Runtime.SPARKSINK_248, "org.apache.spark.streaming.flume.sink.SparkSink"),
    SPARKING(FlumeAgent.Runtime.SPARKING, "io.sparking.flume.sink.SparkingSink");

    private final FlumeAgent.Runtime runtime;
    private final String type;

    PullSink(FlumeAgent.Runtime runtime, String type) {
      this.runtime = runtime;
      this.type = type;
    }

    /**
     * An agent fed on {@code SOURCE_PORT} whose sink {@code k1} serves pulls on {@code SINK_PORT}.
     */
    FlumeAgent start() {
      return FlumeAgent.builder()
          .runtime(runtime)
          .configuration(
              SOURCE_AND_CHANNEL
                  + String.join(
                      "\n",
                      "a1.sinks.k1.type = " + type,
                      "a1.sinks.k1.hostname = 127.0.0.1",
                      "a1.sinks.k1.port = ${SINK_PORT}",
                      "a1.sinks.k1.threads = 10",
                      "a1.sinks.k1.timeout = 30",
                      ""))
          .listenPort("SOURCE_PORT")
          .listenPort("SINK_PORT")
          .start();
    }
  }

  /** How a pull path drains its sink. */
  enum PullDrain {
    /**
     * Plain Avro clients that count and ack each batch, storing nothing: Spark 2.4's pull
     * receiver's shape.
     */
    PLAIN_CLIENTS,
    /** Our pull receiver ({@code pullStream}), counted in Spark. */
    PULL_STREAM,
    /** The Structured Streaming source ({@code format("flume")}), counted per micro-batch. */
    STRUCTURED
  }

  /**
   * A pull path: an agent with {@code sink} started before the receiver, which then drains it as
   * {@code drain} says. The four pairs of sink and drain are the reference, ours, and the two
   * splits in between.
   */
  private record Pull(PullSink sink, PullDrain drain) implements MeasuredPath.Halves {
    @Override
    public RunSetup prepare(String pathId, BenchEnvironment env, BenchConfig config, int run) {
      FlumeAgent agent = sink.start();
      try {
        FlumePull source =
            new FlumePull(
                agent.port("SINK_PORT"), config.variant().connectionsOr(PULL_CONNECTIONS));
        return new FeedingSetup(
            source, config, agent, (receiverPort, agents) -> agent.port("SOURCE_PORT"));
      } catch (RuntimeException e) {
        agent.close();
        throw e;
      }
    }

    @Override
    public void receive(ReceiverRun run) throws Exception {
      switch (drain) {
        case PLAIN_CLIENTS -> drainWithPlainClients(run);
        case PULL_STREAM -> receiveWithPullStream(run);
        case STRUCTURED -> receiveWithStructuredSource(run);
        default -> throw new IllegalStateException("drain " + drain);
      }
    }
  }

  /** Counts in Spark what {@code pullStream} pulls from the sink. */
  private static void receiveWithPullStream(ReceiverRun run) throws Exception {
    FlumePull source = run.flumePull();
    InetSocketAddress sink = new InetSocketAddress("127.0.0.1", source.port());
    SparkCount.run(
        run,
        false,
        1,
        jssc ->
            SparkingFlume.pullStream(
                    jssc,
                    List.of(sink),
                    PullSettings.builder()
                        .connectionsPerAgent(source.connections())
                        .batchSize(PULL_BATCH)
                        .build())
                .foreachRDD(FlumePaths::countEvents));
  }

  /**
   * Counts, per micro-batch, what a query on the Structured Streaming source pulls from the sink:
   * every event logged under a temporary checkpoint, read back by the batch's tasks.
   */
  private static void receiveWithStructuredSource(ReceiverRun run) throws Exception {
    FlumePull source = run.flumePull();
    java.nio.file.Path checkpoint =
        io.sparking.runtime.TempDirs.create("sparking-bench-flume-structured-");
    SparkSession spark = SparkCount.structuredSession();
    try {
      // Every body read in the batch's tasks, as in the DStream paths, not a SQL count.
      VoidFunction2<Dataset<Row>, Long> countBatch =
          (batch, id) ->
              SparkCount.countPayloads(
                  batch.select(functions.col("body")).as(Encoders.BINARY()).javaRDD(),
                  body -> body);
      StreamingQuery query =
          spark
              .readStream()
              .format("flume")
              .option("mode", "pull")
              .option("agents", "127.0.0.1:" + source.port())
              .option("connectionsPerAgent", String.valueOf(source.connections()))
              .option("batchSize", String.valueOf(PULL_BATCH))
              .load()
              .writeStream()
              .trigger(Trigger.ProcessingTime(run.job().batchInterval().toMillis()))
              .option("checkpointLocation", checkpoint.toString())
              .foreachBatch(countBatch)
              .start();
      try {
        // The connections open with the query's first trigger: ready once it is done.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (query.lastProgress() == null && query.isActive()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the query did not complete a trigger within 90 s");
          }
          Thread.sleep(50);
        }
        Progress.ready();
        Progress.awaitDone(run.target().timeout());
      } finally {
        query.stop();
      }
    } finally {
      spark.stop();
      io.sparking.runtime.TempDirs.deleteRecursively(checkpoint);
    }
  }

  /**
   * Drains the sink with plain Avro clients, one thread each: counts and acks each batch, stores
   * nothing.
   */
  private static void drainWithPlainClients(ReceiverRun run) throws Exception {
    FlumePull source = run.flumePull();
    InetSocketAddress sink = new InetSocketAddress("127.0.0.1", source.port());
    List<PullClient> connections = new ArrayList<>();
    List<Thread> drains = new ArrayList<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try {
      for (int i = 0; i < source.connections(); i++) {
        PullClient client = PullClient.connect(sink, PLAIN_CONNECT_TIMEOUT, PLAIN_CALL_TIMEOUT);
        connections.add(client);
        Thread drain = new Thread(() -> drainWithPlainClient(client, failure), "drain-" + i);
        drain.setDaemon(true);
        drains.add(drain);
      }
      Progress.ready();
      drains.forEach(Thread::start);
      Progress.awaitDone(run.target().timeout());
      if (failure.get() != null && !Progress.isDone()) {
        throw failure.get();
      }
    } finally {
      // The old sink blocks without bound on an empty channel: closing the connections ends those
      // calls.
      connections.forEach(PullClient::close);
      for (Thread drain : drains) {
        drain.join(5_000);
      }
    }
  }

  private static void drainWithPlainClient(PullClient client, AtomicReference<Exception> failure) {
    try {
      while (!Progress.isDone()) {
        long start = System.currentTimeMillis();
        EventBatch batch = client.getEventBatch(PULL_BATCH);
        if (!batch.getErrorMsg().isEmpty()) {
          Thread.sleep(10);
          continue;
        }
        long bytes = 0;
        for (SparkSinkEvent e : batch.getEvents()) {
          Progress.received(e.getBody());
          bytes += e.getBody().remaining();
        }
        client.ack(batch.getSequenceNumber());
        Progress.report(batch.getEvents().size(), bytes, start, System.currentTimeMillis());
      }
    } catch (Exception e) {
      // Once the run is done, the connections are closed under calls still waiting: not a failure.
      if (!Progress.isDone()) {
        failure.compareAndSet(null, e);
      }
    }
  }
}
