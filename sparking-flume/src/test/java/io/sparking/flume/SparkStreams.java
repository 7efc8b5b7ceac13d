package io.sparking.flume;

import static org.awaitility.Awaitility.await;

import io.sparking.runtime.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverError;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStarted;

/**
 * One Spark context for the whole test JVM (local mode, write-ahead log on) and short-lived
 * streaming contexts on it that collect every event their stream produced.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
final class SparkStreams implements AutoCloseable {
  /** Batch interval of every test stream. */
  static final Duration BATCH = Duration.ofMillis(250);

  /** Bound for anything a test waits for. */
  static final Duration WAIT = Duration.ofSeconds(60);

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Map<String, ConcurrentLinkedQueue<FlumeEvent>> COLLECTED =
      new ConcurrentHashMap<>();
  private static JavaSparkContext sparkContext;

  private final JavaStreamingContext jssc;
  private final Path checkpoint;
  private final ConcurrentLinkedQueue<FlumeEvent> events = new ConcurrentLinkedQueue<>();
  private final AtomicInteger receiversStarted = new AtomicInteger();
  private final List<String> receiverErrors =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private boolean stopped;

  private SparkStreams(
      String checkpointScheme, Function<JavaStreamingContext, JavaDStream<FlumeEvent>> stream) {
    checkpoint = TempDirs.create("sparking-flume-checkpoint-");
    jssc = new JavaStreamingContext(sparkContext(), Durations.milliseconds(BATCH.toMillis()));
    jssc.checkpoint(
        checkpointScheme == null
            ? checkpoint.toString()
            : checkpointScheme + "://" + checkpoint.toAbsolutePath());
    // Checkpointing serializes the DStream graph, so the output function captures only a key, not
    // this object.
    String key = "run-" + RUNS.incrementAndGet();
    COLLECTED.put(key, events);
    stream.apply(jssc).foreachRDD(rdd -> COLLECTED.get(key).addAll(rdd.collect()));
    jssc.addStreamingListener(
        new StreamingListener() {
          @Override
          public void onReceiverStarted(StreamingListenerReceiverStarted started) {
            receiversStarted.incrementAndGet();
          }

          @Override
          public void onReceiverError(StreamingListenerReceiverError error) {
            receiverErrors.add(
                error.receiverInfo().lastErrorMessage() + ": " + error.receiverInfo().lastError());
          }
        });
  }

  /**
   * Starts the stream {@code stream} builds and waits until its {@code receivers} receivers run.
   */
  static SparkStreams start(
      int receivers, Function<JavaStreamingContext, JavaDStream<FlumeEvent>> stream) {
    return start(receivers, null, stream);
  }

  /**
   * Like {@link #start(int, Function)}, with the checkpoint directory (and so the receivers'
   * write-ahead log) on the local file system {@code fileSystem}, registered under {@code scheme}.
   */
  static SparkStreams start(
      int receivers,
      String scheme,
      Class<? extends org.apache.hadoop.fs.FileSystem> fileSystem,
      Function<JavaStreamingContext, JavaDStream<FlumeEvent>> stream) {
    sparkContext().hadoopConfiguration().set("fs." + scheme + ".impl", fileSystem.getName());
    return start(receivers, scheme, stream);
  }

  private static SparkStreams start(
      int receivers,
      String checkpointScheme,
      Function<JavaStreamingContext, JavaDStream<FlumeEvent>> stream) {
    SparkStreams streams = new SparkStreams(checkpointScheme, stream);
    try {
      streams.jssc.start();
      await("receivers started")
          .atMost(WAIT)
          .until(() -> streams.receiversStarted.get() >= receivers);
      return streams;
    } catch (RuntimeException | Error e) {
      streams.close();
      throw e;
    }
  }

  /**
   * Three cores: each receiver holds one for as long as it runs, and the jobs that collect the
   * events need one more.
   */
  private static synchronized JavaSparkContext sparkContext() {
    if (sparkContext == null) {
      SparkConf conf =
          new SparkConf()
              .setMaster("local[3]")
              .setAppName("sparking-flume-test")
              .set("spark.ui.enabled", "false")
              .set("spark.driver.host", "127.0.0.1")
              .set("spark.driver.bindAddress", "127.0.0.1")
              .set("spark.streaming.receiver.writeAheadLog.enable", "true")
              // Kryo, which most production jobs set: blocks, the write-ahead log and the receivers
              // themselves go through
              // it here, while the jobs' tests (sparking-jobs) run with Spark's default Java
              // serialization.
              .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
              .set("spark.streaming.stopGracefullyOnShutdown", "false")
              // The default (ten batches) can end a graceful stop before the stored blocks were
              // processed; a test that
              // counts every event must see them all.
              .set("spark.streaming.gracefulStopTimeout", WAIT.toMillis() + "ms");
      sparkContext = new JavaSparkContext(conf);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(sparkContext::stop, "stop-test-spark-context"));
    }
    return sparkContext;
  }

  /** Every event collected so far, in arrival order. */
  List<FlumeEvent> events() {
    return new ArrayList<>(events);
  }

  /**
   * The metrics of receiver {@code streamId} as Spark's metrics system of this JVM holds them
   * (local mode: the driver is the executor), once the receiver registered them (after its server
   * or connections started).
   */
  @SuppressWarnings("deprecation") // JavaConverters: the converter of Scala 2.12 and 2.13 alike
  static com.codahale.metrics.MetricRegistry awaitReceiverMetrics(int streamId) {
    String name = "sparking.receiver." + streamId;
    List<org.apache.spark.metrics.source.Source> sources =
        await("metrics source " + name)
            .atMost(WAIT)
            .until(
                () ->
                    scala.collection.JavaConverters.seqAsJavaList(
                        org.apache.spark.SparkEnv.get().metricsSystem().getSourcesByName(name)),
                s -> !s.isEmpty());
    // Stream ids restart in every streaming context: the last registered source is this run's.
    return sources.get(sources.size() - 1).metricRegistry();
  }

  /** Errors the receivers reported. */
  List<String> receiverErrors() {
    return new ArrayList<>(receiverErrors);
  }

  /** Waits until at least {@code count} events came out of the stream. */
  SparkStreams awaitEvents(int count) {
    await("" + count + " events").atMost(WAIT).until(() -> events.size() >= count);
    return this;
  }

  /**
   * Stops the stream after every received block was processed, so nothing stored is left out of the
   * count.
   */
  void stopGracefully() {
    if (!stopped) {
      stopped = true;
      jssc.stop(false, true);
    }
  }

  @Override
  public void close() {
    try {
      if (!stopped) {
        stopped = true;
        jssc.stop(false, false);
      }
    } finally {
      TempDirs.deleteRecursively(checkpoint);
    }
  }
}
