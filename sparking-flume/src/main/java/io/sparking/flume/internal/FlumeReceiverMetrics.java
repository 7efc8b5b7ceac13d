package io.sparking.flume.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.sparking.flume.FlumeEvent;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;

/**
 * The metrics of one Flume receiver, a source of Spark's metrics system on the executor that runs the receiver:
 * {@code records} and {@code bytes} (event bodies) stored and {@code blocks} stored (meters); for the pull receiver
 * {@code flume.pull.roundTrips} (a timer over every answered {@code getEventBatch} call, with or without events),
 * {@code flume.pull.batchesAcked} and {@code flume.pull.batchesNacked} (counters); for the push receiver
 * {@code flume.push.batches} (meter, batches answered OK) and {@code flume.push.batchesFailed} (counter).
 *
 * <p>Spark's {@code Source} is {@code private[spark]} in Scala but a plain public interface in the bytecode, which
 * is what Java sees; Spark's own sinks (console, CSV, JMX, Prometheus servlet) report it like any other source.
 */
public final class FlumeReceiverMetrics implements Source {
  /** Source names are {@code sparking.receiver.<stream id>}, one per receiver. */
  public static final String SOURCE_PREFIX = "sparking.receiver.";

  private final String sourceName;
  private final MetricRegistry registry = new MetricRegistry();
  private final Meter records = registry.meter("records");
  private final Meter bytes = registry.meter("bytes");
  private final Meter blocks = registry.meter("blocks");
  private volatile boolean registered;
  // Created only for the receiver kind that reports them, so a push receiver shows no pull metrics.
  private Timer pullRoundTrips;
  private Counter pullBatchesAcked;
  private Counter pullBatchesNacked;
  private Meter pushBatches;
  private Counter pushBatchesFailed;

  private FlumeReceiverMetrics(String sourceName) {
    this.sourceName = sourceName;
  }

  /** Metrics of the pull receiver of stream {@code streamId}. */
  static FlumeReceiverMetrics forPull(int streamId) {
    FlumeReceiverMetrics m = new FlumeReceiverMetrics(SOURCE_PREFIX + streamId);
    m.pullRoundTrips = m.registry.timer("flume.pull.roundTrips");
    m.pullBatchesAcked = m.registry.counter("flume.pull.batchesAcked");
    m.pullBatchesNacked = m.registry.counter("flume.pull.batchesNacked");
    return m;
  }

  /** Metrics of the push receiver of stream {@code streamId}. */
  static FlumeReceiverMetrics forPush(int streamId) {
    FlumeReceiverMetrics m = new FlumeReceiverMetrics(SOURCE_PREFIX + streamId);
    m.pushBatches = m.registry.meter("flume.push.batches");
    m.pushBatchesFailed = m.registry.counter("flume.push.batchesFailed");
    return m;
  }

  /** Pull metrics that no metrics system sees, for pull workers run outside a receiver. */
  static FlumeReceiverMetrics detachedPull() {
    return forPull(-1);
  }

  @Override
  public String sourceName() {
    return sourceName;
  }

  @Override
  public MetricRegistry metricRegistry() {
    return registry;
  }

  /** Counts a block Spark stored (one or more batches). */
  void blockStored(List<FlumeEvent> events) {
    long size = 0;
    for (FlumeEvent e : events) {
      size += e.bodyLength();
    }
    records.mark(events.size());
    bytes.mark(size);
    blocks.mark();
  }

  /** Times one answered {@code getEventBatch} call. */
  void pullRoundTrip(long nanos) {
    pullRoundTrips.update(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  void pullAcked() {
    pullBatchesAcked.inc();
  }

  void pullNacked() {
    pullBatchesNacked.inc();
  }

  void pushAnswered(boolean ok) {
    if (ok) {
      pushBatches.mark();
    } else {
      pushBatchesFailed.inc();
    }
  }

  /** Adds this source to the metrics system of the JVM it runs in; the counts go on across receiver restarts. */
  void register() {
    SparkEnv env = SparkEnv.get();
    if (env != null && !registered) {
      env.metricsSystem().registerSource(this);
      registered = true;
    }
  }

  /** Removes this source from the metrics system, so a receiver started again can register under the same name. */
  void unregister() {
    SparkEnv env = SparkEnv.get();
    if (env != null && registered) {
      env.metricsSystem().removeSource(this);
      registered = false;
    }
  }
}
