package io.sparking.flume;

import io.sparking.core.spi.DrainableReceiver;
import io.sparking.core.spi.DrainableReceiverStream;
import io.sparking.core.spi.ReceiverStorage;
import io.sparking.flume.internal.FlumePullReceiver;
import io.sparking.flume.internal.FlumePushReceiver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * Streams of Flume events for Spark Streaming, one line per stream.
 *
 * <p>Push: Flume's standard {@code avro} sink sends to a receiver listening on a host and port.
 *
 * <pre>{@code
 * JavaReceiverInputDStream<FlumeEvent> events = SparkingFlume.pushStream(jssc, "worker-1", 4141);
 * }</pre>
 *
 * <p>Pull: receivers pull from agents running Sparking's pull sink, and acknowledge each batch only
 * after Spark stored it.
 *
 * <pre>{@code
 * JavaReceiverInputDStream<FlumeEvent> events = SparkingFlume.pullStream(jssc,
 *     List.of(new InetSocketAddress("agent-1", 9999)), PullSettings.defaults());
 * }</pre>
 *
 * <p>With {@code spark.streaming.receiver.writeAheadLog.enable=true} and a checkpoint directory,
 * nothing a receiver acknowledged is lost when the driver fails. The receivers then keep one copy
 * of each block ({@code MEMORY_AND_DISK_SER}) unless the settings choose a storage level; without
 * the log, two.
 */
// Spark 3.5 and 4.x deprecate the DStream API as a whole; it is the API this module serves.
@SuppressWarnings("deprecation")
public final class SparkingFlume {
  private SparkingFlume() {}

  /**
   * A stream fed by Flume {@code avro} sinks sending to {@code host:port}, with default {@link
   * PushSettings}.
   *
   * @param host the address the receiver listens on, the sink's {@code hostname}
   * @param port the port the receiver listens on, the sink's {@code port}
   */
  public static JavaReceiverInputDStream<FlumeEvent> pushStream(
      JavaStreamingContext jssc, String host, int port) {
    return pushStream(jssc, host, port, PushSettings.defaults());
  }

  /**
   * A stream fed by Flume {@code avro} sinks sending to {@code host:port}.
   *
   * @throws IllegalArgumentException when the host is blank or the port is not 1-65535
   */
  public static JavaReceiverInputDStream<FlumeEvent> pushStream(
      JavaStreamingContext jssc, String host, int port, PushSettings settings) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    FlumeAddresses.check("host", host, port);
    return stream(
        jssc,
        new FlumePushReceiver(
            host, port, settings, ReceiverStorage.level(jssc, settings.storageLevel())));
  }

  /**
   * Like {@link #pushStream(JavaStreamingContext, String, int, PushSettings)}, with each event
   * converted by {@code convert} as a batch reads it: the receiver, its blocks and the write-ahead
   * log keep {@link FlumeEvent}s, the stream's batches hold {@code T}. For adapters of another
   * API's event type, such as Spark 2.4's {@code SparkFlumeEvent}.
   *
   * @param convert serializable; it runs in the tasks that read each batch
   */
  public static <T> JavaReceiverInputDStream<T> pushStream(
      JavaStreamingContext jssc,
      String host,
      int port,
      PushSettings settings,
      Function<FlumeEvent, T> convert,
      Class<T> type) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    FlumeAddresses.check("host", host, port);
    return converted(
        jssc,
        new FlumePushReceiver(
            host, port, settings, ReceiverStorage.level(jssc, settings.storageLevel())),
        convert,
        type);
  }

  /**
   * One stream from several push receivers, one per address, for sinks that spread their load over
   * several receivers (Flume's load-balancing sink processor, or several agents).
   *
   * @throws IllegalArgumentException when the list is empty, has duplicates, or holds an invalid
   *     address
   */
  public static JavaDStream<FlumeEvent> pushStreams(
      JavaStreamingContext jssc, List<InetSocketAddress> addresses, PushSettings settings) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    FlumeAddresses.check("addresses", addresses);
    List<JavaDStream<FlumeEvent>> streams = new ArrayList<>(addresses.size());
    StorageLevel level = ReceiverStorage.level(jssc, settings.storageLevel());
    for (InetSocketAddress address : addresses) {
      streams.add(
          stream(
              jssc,
              new FlumePushReceiver(address.getHostString(), address.getPort(), settings, level)));
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    JavaDStream<FlumeEvent>[] array = streams.toArray(new JavaDStream[0]);
    return array.length == 1 ? array[0] : jssc.union(array);
  }

  /**
   * A stream pulled from agents running Sparking's pull sink (or Spark 2.4's {@code SparkSink}),
   * with default {@link PullSettings}. One receiver keeps {@link
   * PullSettings#DEFAULT_CONNECTIONS_PER_AGENT} connections to every agent.
   *
   * @param agents the sinks' {@code hostname}:{@code port} addresses
   */
  public static JavaReceiverInputDStream<FlumeEvent> pullStream(
      JavaStreamingContext jssc, List<InetSocketAddress> agents) {
    return pullStream(jssc, agents, PullSettings.defaults());
  }

  /**
   * A stream pulled from agents running Sparking's pull sink (or Spark 2.4's {@code SparkSink}).
   * Each batch is acknowledged to its sink only after Spark stored it.
   *
   * @throws IllegalArgumentException when the list is empty, has duplicates, or holds an invalid
   *     address
   */
  public static JavaReceiverInputDStream<FlumeEvent> pullStream(
      JavaStreamingContext jssc, List<InetSocketAddress> agents, PullSettings settings) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    FlumeAddresses.check("agents", agents);
    return stream(
        jssc,
        new FlumePullReceiver(
            List.copyOf(agents), settings, ReceiverStorage.level(jssc, settings.storageLevel())));
  }

  /**
   * Like {@link #pullStream(JavaStreamingContext, List, PullSettings)}, with each event converted
   * by {@code convert} as a batch reads it (see {@link #pushStream(JavaStreamingContext, String,
   * int, PushSettings, Function, Class)}).
   */
  public static <T> JavaReceiverInputDStream<T> pullStream(
      JavaStreamingContext jssc,
      List<InetSocketAddress> agents,
      PullSettings settings,
      Function<FlumeEvent, T> convert,
      Class<T> type) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    FlumeAddresses.check("agents", agents);
    return converted(
        jssc,
        new FlumePullReceiver(
            List.copyOf(agents), settings, ReceiverStorage.level(jssc, settings.storageLevel())),
        convert,
        type);
  }

  private static <T> JavaReceiverInputDStream<T> converted(
      JavaStreamingContext jssc,
      DrainableReceiver<FlumeEvent> receiver,
      Function<FlumeEvent, T> convert,
      Class<T> type) {
    Objects.requireNonNull(convert, "convert");
    Objects.requireNonNull(type, "type");
    return new JavaReceiverInputDStream<>(
        DrainableReceiverStream.converting(
            jssc.ssc(), receiver, receiver.toString(), convert, type),
        scala.reflect.ClassTag$.MODULE$.apply(type));
  }

  /** The receiver's stream, named after the receiver in the Spark UI. */
  private static JavaReceiverInputDStream<FlumeEvent> stream(
      JavaStreamingContext jssc, DrainableReceiver<FlumeEvent> receiver) {
    return new JavaReceiverInputDStream<>(
        new DrainableReceiverStream<>(jssc.ssc(), receiver, receiver.toString(), FlumeEvent.class),
        scala.reflect.ClassTag$.MODULE$.apply(FlumeEvent.class));
  }
}
