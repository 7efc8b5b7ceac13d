package io.sparking.compat.flume;

import static io.sparking.compat.internal.LegacyArguments.requiredStorageLevel;

import io.sparking.core.spi.InvalidSetting;
import io.sparking.flume.FlumeAddresses;
import io.sparking.flume.PullSettings;
import io.sparking.flume.PushSettings;
import io.sparking.flume.SparkingFlume;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import scala.collection.JavaConverters;

/**
 * Spark 2.4.8's {@code org.apache.spark.streaming.flume.FlumeUtils}, every overload with the same
 * parameters and defaults, over Sparking's receivers: a Spark 2.4 job changes its import to {@code
 * io.sparking.compat.flume._} (Scala) or {@code io.sparking.compat.flume.*} (Java) and runs on
 * Spark 3.5 or 4.x.
 *
 * <pre>{@code
 * // Push: an Avro endpoint for a Flume agent's avro sink.
 * val events = FlumeUtils.createStream(ssc, "0.0.0.0", 41414, StorageLevel.MEMORY_AND_DISK_SER_2)
 * // Pull: from agents running Sparking's sink or Spark 2.4's SparkSink.
 * val pulled = FlumeUtils.createPollingStream(ssc, "agent-1", 9999)
 * }</pre>
 *
 * <p>{@code createStream} is {@link SparkingFlume#pushStream}, {@code createPollingStream} is
 * {@link SparkingFlume#pullStream}; each event reaches the job as a {@link SparkFlumeEvent}. What
 * differs from Spark 2.4 (acknowledgement after store, the storage level with the write-ahead log)
 * is in docs/migration.md.
 */
// Spark 3.5 and 4.x deprecate the DStream API as a whole; it is the API this class serves.
// Scala 2.13 deprecates scala.collection.JavaConverters; it is the converter Scala 2.12 has too.
@SuppressWarnings("deprecation")
public final class FlumeUtils {
  /**
   * Spark 2.4's storage level of received blocks when none is given: serialized, memory then disk,
   * two copies.
   */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL = PushSettings.DEFAULT_STORAGE_LEVEL;

  /** Spark 2.4's most events asked for in one pull. */
  public static final int DEFAULT_POLLING_BATCH_SIZE = 1000;

  /** Spark 2.4's connections to each agent of a pull stream. */
  public static final int DEFAULT_POLLING_PARALLELISM = 5;

  private FlumeUtils() {}

  // Push, Scala.

  /**
   * A stream fed by Flume avro sinks sending to {@code hostname:port}. Without a storage level
   * Spark 2.4 kept {@link #DEFAULT_STORAGE_LEVEL}; so does this stream, or one copy when the
   * write-ahead log holds the other.
   */
  public static ReceiverInputDStream<SparkFlumeEvent> createStream(
      StreamingContext ssc, String hostname, int port) {
    return createStream(new JavaStreamingContext(ssc), hostname, port).receiverInputDStream();
  }

  /**
   * A stream fed by Flume avro sinks sending to {@code hostname:port}, its blocks kept at {@code
   * storageLevel}.
   */
  public static ReceiverInputDStream<SparkFlumeEvent> createStream(
      StreamingContext ssc, String hostname, int port, StorageLevel storageLevel) {
    return createStream(new JavaStreamingContext(ssc), hostname, port, storageLevel)
        .receiverInputDStream();
  }

  /**
   * A stream fed by Flume avro sinks sending to {@code hostname:port}; {@code enableDecompression}
   * for sinks with {@code compression-type = deflate}.
   */
  public static ReceiverInputDStream<SparkFlumeEvent> createStream(
      StreamingContext ssc,
      String hostname,
      int port,
      StorageLevel storageLevel,
      boolean enableDecompression) {
    return createStream(
            new JavaStreamingContext(ssc), hostname, port, storageLevel, enableDecompression)
        .receiverInputDStream();
  }

  // Push, Java.

  /** See {@link #createStream(StreamingContext, String, int)}. */
  public static JavaReceiverInputDStream<SparkFlumeEvent> createStream(
      JavaStreamingContext jssc, String hostname, int port) {
    return push(jssc, hostname, port, PushSettings.builder());
  }

  /** See {@link #createStream(StreamingContext, String, int, StorageLevel)}. */
  public static JavaReceiverInputDStream<SparkFlumeEvent> createStream(
      JavaStreamingContext jssc, String hostname, int port, StorageLevel storageLevel) {
    return push(jssc, hostname, port, PushSettings.builder().storageLevel(storageLevel));
  }

  /** See {@link #createStream(StreamingContext, String, int, StorageLevel, boolean)}. */
  public static JavaReceiverInputDStream<SparkFlumeEvent> createStream(
      JavaStreamingContext jssc,
      String hostname,
      int port,
      StorageLevel storageLevel,
      boolean enableDecompression) {
    return push(
        jssc,
        hostname,
        port,
        PushSettings.builder()
            .storageLevel(storageLevel)
            .compression(
                enableDecompression
                    ? PushSettings.Compression.DEFLATE
                    : PushSettings.Compression.NONE));
  }

  // Pull, Scala.

  /**
   * A stream pulled from the sink at {@code hostname:port} (Sparking's or Spark 2.4's {@code
   * SparkSink}), with Spark 2.4's defaults: batches of {@value #DEFAULT_POLLING_BATCH_SIZE},
   * {@value #DEFAULT_POLLING_PARALLELISM} connections.
   */
  public static ReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      StreamingContext ssc, String hostname, int port) {
    return createPollingStream(new JavaStreamingContext(ssc), hostname, port)
        .receiverInputDStream();
  }

  /**
   * Like {@link #createPollingStream(StreamingContext, String, int)}, its blocks kept at {@code
   * storageLevel}.
   */
  public static ReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      StreamingContext ssc, String hostname, int port, StorageLevel storageLevel) {
    return createPollingStream(new JavaStreamingContext(ssc), hostname, port, storageLevel)
        .receiverInputDStream();
  }

  /**
   * A stream pulled from every sink of {@code addresses}, with Spark 2.4's batch size and
   * parallelism.
   */
  public static ReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      StreamingContext ssc,
      scala.collection.Seq<InetSocketAddress> addresses,
      StorageLevel storageLevel) {
    return pull(
            new JavaStreamingContext(ssc),
            toList(addresses),
            storageLevel,
            DEFAULT_POLLING_BATCH_SIZE,
            DEFAULT_POLLING_PARALLELISM)
        .receiverInputDStream();
  }

  /**
   * A stream pulled from every sink of {@code addresses}, at most {@code maxBatchSize} events a
   * call, over {@code parallelism} connections to each sink.
   */
  public static ReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      StreamingContext ssc,
      scala.collection.Seq<InetSocketAddress> addresses,
      StorageLevel storageLevel,
      int maxBatchSize,
      int parallelism) {
    return pull(
            new JavaStreamingContext(ssc),
            toList(addresses),
            storageLevel,
            maxBatchSize,
            parallelism)
        .receiverInputDStream();
  }

  // Pull, Java.

  /** See {@link #createPollingStream(StreamingContext, String, int)}. */
  public static JavaReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      JavaStreamingContext jssc, String hostname, int port) {
    return pull(
        jssc,
        List.of(address(hostname, port)),
        null,
        DEFAULT_POLLING_BATCH_SIZE,
        DEFAULT_POLLING_PARALLELISM);
  }

  /** See {@link #createPollingStream(StreamingContext, String, int, StorageLevel)}. */
  public static JavaReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      JavaStreamingContext jssc, String hostname, int port, StorageLevel storageLevel) {
    return pull(
        jssc,
        List.of(address(hostname, port)),
        requiredStorageLevel(storageLevel),
        DEFAULT_POLLING_BATCH_SIZE,
        DEFAULT_POLLING_PARALLELISM);
  }

  /** See {@link #createPollingStream(StreamingContext, scala.collection.Seq, StorageLevel)}. */
  public static JavaReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      JavaStreamingContext jssc, InetSocketAddress[] addresses, StorageLevel storageLevel) {
    return pull(
        jssc,
        toList(addresses),
        requiredStorageLevel(storageLevel),
        DEFAULT_POLLING_BATCH_SIZE,
        DEFAULT_POLLING_PARALLELISM);
  }

  /**
   * See {@link #createPollingStream(StreamingContext, scala.collection.Seq, StorageLevel, int,
   * int)}.
   */
  public static JavaReceiverInputDStream<SparkFlumeEvent> createPollingStream(
      JavaStreamingContext jssc,
      InetSocketAddress[] addresses,
      StorageLevel storageLevel,
      int maxBatchSize,
      int parallelism) {
    return pull(
        jssc, toList(addresses), requiredStorageLevel(storageLevel), maxBatchSize, parallelism);
  }

  private static JavaReceiverInputDStream<SparkFlumeEvent> push(
      JavaStreamingContext jssc, String hostname, int port, PushSettings.Builder settings) {
    Objects.requireNonNull(jssc, "ssc");
    return SparkingFlume.pushStream(
        jssc, hostname, port, settings.build(), SparkFlumeEvent::from, SparkFlumeEvent.class);
  }

  /** {@code storageLevel} null: the default for the context's write-ahead-log setting. */
  private static JavaReceiverInputDStream<SparkFlumeEvent> pull(
      JavaStreamingContext jssc,
      List<InetSocketAddress> addresses,
      StorageLevel storageLevel,
      int maxBatchSize,
      int parallelism) {
    Objects.requireNonNull(jssc, "ssc");
    // Checked here so that errors name Spark 2.4's parameters, not PullSettings' own.
    if (maxBatchSize < 1) {
      throw InvalidSetting.of(
          "maxBatchSize",
          maxBatchSize,
          "below 1",
          "pass the most events one pull may return," + " such as " + DEFAULT_POLLING_BATCH_SIZE);
    }
    if (parallelism < 1) {
      throw InvalidSetting.of(
          "parallelism",
          parallelism,
          "below 1",
          "pass the number of connections to each"
              + " agent, such as "
              + DEFAULT_POLLING_PARALLELISM);
    }
    PullSettings.Builder settings =
        PullSettings.builder().batchSize(maxBatchSize).connectionsPerAgent(parallelism);
    if (storageLevel != null) {
      settings.storageLevel(storageLevel);
    }
    return SparkingFlume.pullStream(
        jssc, addresses, settings.build(), SparkFlumeEvent::from, SparkFlumeEvent.class);
  }

  private static InetSocketAddress address(String hostname, int port) {
    return FlumeAddresses.of(hostname, String.valueOf(port));
  }

  private static List<InetSocketAddress> toList(scala.collection.Seq<InetSocketAddress> addresses) {
    if (addresses == null) {
      throw InvalidSetting.of(
          "addresses",
          null,
          "missing",
          "pass the sinks' addresses, such as" + " Seq(new InetSocketAddress(\"agent-1\", 9999))");
    }
    return new ArrayList<>(JavaConverters.seqAsJavaList(addresses));
  }

  private static List<InetSocketAddress> toList(InetSocketAddress[] addresses) {
    if (addresses == null) {
      throw InvalidSetting.of(
          "addresses",
          null,
          "missing",
          "pass the sinks' addresses, such as"
              + " new InetSocketAddress[] {new InetSocketAddress(\"agent-1\", 9999)}");
    }
    return Arrays.asList(addresses);
  }
}
