package io.sparking.core.spi;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;

/**
 * The metrics every Sparking receiver reports, as a source of Spark's metrics system on the
 * executor that runs the receiver, named {@code sparking.receiver.<stream id>}: {@code records} and
 * {@code bytes} stored, and {@code blocks} stored (meters). A connector adds its own metrics to
 * {@link #registry()}.
 *
 * <p>Spark's {@code Source} is {@code private[spark]} in Scala but a plain public interface in the
 * bytecode, which is what Java sees; Spark's own sinks (console, CSV, JMX, Prometheus servlet)
 * report it like any other source.
 */
public class ReceiverMetrics implements Source {
  /** Source names are {@code sparking.receiver.<stream id>}, one per receiver. */
  public static final String SOURCE_PREFIX = "sparking.receiver.";

  private final String sourceName;
  private final MetricRegistry registry = new MetricRegistry();
  private final Meter records = registry.meter("records");
  private final Meter bytes = registry.meter("bytes");
  private final Meter blocks = registry.meter("blocks");
  private volatile boolean registered;

  /** The metrics of the receiver of stream {@code streamId}. */
  protected ReceiverMetrics(int streamId) {
    this.sourceName = SOURCE_PREFIX + streamId;
  }

  @Override
  public String sourceName() {
    return sourceName;
  }

  @Override
  public MetricRegistry metricRegistry() {
    return registry;
  }

  /** Where a connector adds its own metrics. */
  protected MetricRegistry registry() {
    return registry;
  }

  /**
   * Counts a block that Spark stored, of {@code recordCount} records holding {@code byteCount}
   * bytes of data.
   */
  public void blockStored(long recordCount, long byteCount) {
    records.mark(recordCount);
    bytes.mark(byteCount);
    blocks.mark();
  }

  /**
   * Adds this source to the metrics system of the JVM it runs in; the counts go on across receiver
   * restarts.
   */
  public void register() {
    SparkEnv env = SparkEnv.get();
    if (env != null && !registered) {
      env.metricsSystem().registerSource(this);
      registered = true;
    }
  }

  /**
   * Removes this source from the metrics system, so a receiver started again can register under the
   * same name.
   */
  public void unregister() {
    SparkEnv env = SparkEnv.get();
    if (env != null && registered) {
      env.metricsSystem().removeSource(this);
      registered = false;
    }
  }
}
