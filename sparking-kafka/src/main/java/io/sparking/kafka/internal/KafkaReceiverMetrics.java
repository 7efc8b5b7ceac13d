package io.sparking.kafka.internal;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.sparking.kafka.KafkaRecord;
import java.util.function.LongSupplier;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;
import scala.collection.mutable.ArrayBuffer;

/**
 * The metrics of one Kafka receiver, a source of Spark's metrics system on the executor that runs the receiver:
 * {@code records} and {@code bytes} stored (meters), {@code blocks} stored (meter) and {@code kafka.lag}, the records
 * of the receiver's partitions not yet committed by its group (a gauge sampled by the consumer threads).
 *
 * <p>Spark's {@code Source} is {@code private[spark]} in Scala but a plain public interface in the bytecode, which
 * is what Java sees; Spark's own sinks (console, CSV, JMX, Prometheus servlet) report it like any other source.
 */
public final class KafkaReceiverMetrics implements Source {
  /** Source names are {@code sparking.receiver.<stream id>}, one per receiver. */
  public static final String SOURCE_PREFIX = "sparking.receiver.";

  private final String sourceName;
  private final MetricRegistry registry = new MetricRegistry();
  private final Meter records = registry.meter("records");
  private final Meter bytes = registry.meter("bytes");
  private final Meter blocks = registry.meter("blocks");
  private volatile boolean registered;

  KafkaReceiverMetrics(int streamId, LongSupplier lag) {
    this.sourceName = SOURCE_PREFIX + streamId;
    registry.register("kafka.lag", (Gauge<Long>) lag::getAsLong);
  }

  @Override
  public String sourceName() {
    return sourceName;
  }

  @Override
  public MetricRegistry metricRegistry() {
    return registry;
  }

  /** Counts a block that Spark stored: its records, and their key and value bytes (headers not counted). */
  void blockStored(ArrayBuffer<?> block) {
    long size = 0;
    int n = block.size();
    for (int i = 0; i < n; i++) {
      KafkaRecord r = (KafkaRecord) block.apply(i);
      size += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
    }
    records.mark(n);
    bytes.mark(size);
    blocks.mark();
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
