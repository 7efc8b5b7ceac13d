package io.sparking.compat;

import static org.awaitility.Awaitility.await;

import io.sparking.core.GracefulStop;
import io.sparking.testkit.OutputCollector;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * One local Spark context for the test JVM and, per test, a streaming context on it with named
 * streams whose every record is collected by name: for running several overloads of the
 * compatibility API side by side.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
public final class CompatStreams implements AutoCloseable {
  /** Bound on anything a test waits for. */
  public static final Duration WAIT = Duration.ofSeconds(90);

  private static JavaSparkContext sparkContext;

  private final JavaStreamingContext jssc;
  private final Map<String, OutputCollector<String>> collected = new LinkedHashMap<>();
  private boolean stopped;

  private CompatStreams() {
    jssc = new JavaStreamingContext(sparkContext(), Durations.milliseconds(500));
  }

  /** A new streaming context; streams are added with {@link #collect}, then {@link #start()}. */
  public static CompatStreams create() {
    return new CompatStreams();
  }

  /** Sixteen cores: each receiver holds one while it runs, and the batches need more. */
  private static synchronized JavaSparkContext sparkContext() {
    if (sparkContext == null) {
      sparkContext =
          new JavaSparkContext(
              new SparkConf()
                  .setMaster("local[16]")
                  .setAppName("sparking-compat-test")
                  .set("spark.ui.enabled", "false")
                  .set("spark.driver.host", "127.0.0.1")
                  .set("spark.driver.bindAddress", "127.0.0.1")
                  .set("spark.streaming.gracefulStopTimeout", WAIT.toMillis() + "ms"));
      Runtime.getRuntime()
          .addShutdownHook(new Thread(sparkContext::stop, "stop-test-spark-context"));
    }
    return sparkContext;
  }

  /** The streaming context, for the API under test. */
  public JavaStreamingContext jssc() {
    return jssc;
  }

  /** Collects every record of {@code stream} under {@code name}. */
  public void collect(String name, JavaDStream<String> stream) {
    OutputCollector<String> collector = OutputCollector.create();
    collected.put(name, collector);
    stream.foreachRDD(rdd -> collector.addAll(rdd.collect()));
  }

  /** Starts the context. */
  public CompatStreams start() {
    jssc.start();
    return this;
  }

  /**
   * Waits until every stream collected at least {@code count} records, then stops after processing
   * all stored.
   */
  public Map<String, List<String>> awaitAndStop(int count) {
    try {
      await("every stream with " + count + " records")
          .atMost(WAIT)
          .until(() -> collected.values().stream().allMatch(c -> c.size() >= count));
    } finally {
      stop();
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    collected.forEach((name, collector) -> values.put(name, collector.values()));
    return values;
  }

  private void stop() {
    if (!stopped) {
      stopped = true;
      GracefulStop.stop(jssc, false);
    }
  }

  @Override
  public void close() {
    if (!stopped) {
      stopped = true;
      jssc.stop(false, false);
    }
  }
}
