package io.sparking.flume;

import io.sparking.flume.internal.FlumePullReceiver;
import io.sparking.flume.internal.FlumePushReceiver;
import io.sparking.core.spi.DrainableReceiver;
import io.sparking.core.spi.DrainableReceiverStream;
import io.sparking.core.spi.InvalidSetting;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * Streams of Flume events for Spark Streaming, one line per stream.
 *
 * <p>Push: Flume's standard {@code avro} sink sends to a receiver listening on a host and port.
 * <pre>{@code
 * JavaReceiverInputDStream<FlumeEvent> events = SparkingFlume.pushStream(jssc, "worker-1", 4141);
 * }</pre>
 * <p>Pull: receivers poll agents running Sparking's pull sink, and acknowledge each batch only after Spark stored it.
 * <pre>{@code
 * JavaReceiverInputDStream<FlumeEvent> events = SparkingFlume.pullStream(jssc,
 *     List.of(new InetSocketAddress("agent-1", 9999)), PullSettings.defaults());
 * }</pre>
 *
 * <p>With {@code spark.streaming.receiver.writeAheadLog.enable=true} and a checkpoint directory, nothing a receiver
 * acknowledged is lost when the driver fails. The receivers then keep one copy of each block
 * ({@code MEMORY_AND_DISK_SER}) unless the settings choose a storage level; without the log, two.
 */
// Spark 3.5 deprecates the DStream API as a whole; it is the API this module serves.
@SuppressWarnings("deprecation")
public final class SparkingFlume {
  private static final String WAL_ENABLED = "spark.streaming.receiver.writeAheadLog.enable";

  private SparkingFlume() {}

  /**
   * A stream fed by Flume {@code avro} sinks sending to {@code host:port}, with default {@link PushSettings}.
   *
   * @param host the address the receiver listens on, the sink's {@code hostname}
   * @param port the port the receiver listens on, the sink's {@code port}
   */
  public static JavaReceiverInputDStream<FlumeEvent> pushStream(JavaStreamingContext jssc, String host,
      int port) {
    return pushStream(jssc, host, port, PushSettings.defaults());
  }

  /**
   * A stream fed by Flume {@code avro} sinks sending to {@code host:port}.
   *
   * @throws IllegalArgumentException when the host is blank or the port is not 1-65535
   */
  public static JavaReceiverInputDStream<FlumeEvent> pushStream(JavaStreamingContext jssc, String host,
      int port, PushSettings settings) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    checkAddress("host", host, port);
    return stream(jssc, new FlumePushReceiver(host, port, settings,
        storageLevel(jssc, settings.storageLevel(), PushSettings.DEFAULT_STORAGE_LEVEL)));
  }

  /**
   * One stream from several push receivers, one per address, for sinks that spread their load over several
   * receivers (Flume's load-balancing sink processor, or several agents).
   *
   * @throws IllegalArgumentException when the list is empty, has duplicates, or holds an invalid address
   */
  public static JavaDStream<FlumeEvent> pushStreams(JavaStreamingContext jssc,
      List<InetSocketAddress> addresses, PushSettings settings) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    checkAddresses("addresses", addresses);
    List<JavaDStream<FlumeEvent>> streams = new ArrayList<>(addresses.size());
    StorageLevel level = storageLevel(jssc, settings.storageLevel(), PushSettings.DEFAULT_STORAGE_LEVEL);
    for (InetSocketAddress address : addresses) {
      streams.add(stream(jssc, new FlumePushReceiver(address.getHostString(), address.getPort(), settings, level)));
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    JavaDStream<FlumeEvent>[] array = streams.toArray(new JavaDStream[0]);
    return array.length == 1 ? array[0] : jssc.union(array);
  }

  /**
   * A stream pulled from agents running Sparking's pull sink (or Spark 2.4's {@code SparkSink}), with default
   * {@link PullSettings}. One receiver keeps {@link PullSettings#DEFAULT_CONNECTIONS_PER_AGENT} connections to
   * every agent.
   *
   * @param agents the sinks' {@code hostname}:{@code port} addresses
   */
  public static JavaReceiverInputDStream<FlumeEvent> pullStream(JavaStreamingContext jssc,
      List<InetSocketAddress> agents) {
    return pullStream(jssc, agents, PullSettings.defaults());
  }

  /**
   * A stream pulled from agents running Sparking's pull sink (or Spark 2.4's {@code SparkSink}). Each batch is
   * acknowledged to its sink only after Spark stored it.
   *
   * @throws IllegalArgumentException when the list is empty, has duplicates, or holds an invalid address
   */
  public static JavaReceiverInputDStream<FlumeEvent> pullStream(JavaStreamingContext jssc,
      List<InetSocketAddress> agents, PullSettings settings) {
    Objects.requireNonNull(jssc, "jssc");
    Objects.requireNonNull(settings, "settings");
    checkAddresses("agents", agents);
    return stream(jssc, new FlumePullReceiver(List.copyOf(agents), settings,
        storageLevel(jssc, settings.storageLevel(), PullSettings.DEFAULT_STORAGE_LEVEL)));
  }

  /**
   * The level {@code chosen} in the settings, kept as given; otherwise one copy when the write-ahead log is on (the log
   * makes a block durable, and Spark would warn about a second copy and keep one anyway), {@code withoutLog} when off.
   */
  private static StorageLevel storageLevel(JavaStreamingContext jssc, Optional<StorageLevel> chosen,
      StorageLevel withoutLog) {
    boolean wal = jssc.sparkContext().getConf().getBoolean(WAL_ENABLED, false);
    return chosen.orElse(wal ? PushSettings.DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG : withoutLog);
  }

  /** The receiver's stream, named after the receiver in the Spark UI. */
  private static JavaReceiverInputDStream<FlumeEvent> stream(JavaStreamingContext jssc,
      DrainableReceiver<FlumeEvent> receiver) {
    return new JavaReceiverInputDStream<>(
        new DrainableReceiverStream<>(jssc.ssc(), receiver, receiver.toString(), FlumeEvent.class),
        scala.reflect.ClassTag$.MODULE$.apply(FlumeEvent.class));
  }

  static void checkAddresses(String setting, List<InetSocketAddress> addresses) {
    if (addresses == null || addresses.isEmpty()) {
      throw InvalidSetting.of(setting, addresses, "empty", "pass at least one host:port");
    }
    Set<String> seen = new HashSet<>();
    for (InetSocketAddress address : addresses) {
      if (address == null) {
        throw InvalidSetting.of(setting, addresses, "a list with a null entry", "pass host:port addresses only");
      }
      checkAddress(setting, address.getHostString(), address.getPort());
      if (!seen.add(address.getHostString() + ":" + address.getPort())) {
        throw InvalidSetting.of(setting, addresses, "a list in which " + address.getHostString() + ":"
            + address.getPort() + " appears twice", "name each address once");
      }
    }
  }

  private static void checkAddress(String setting, String host, int port) {
    if (host == null || host.isBlank()) {
      throw InvalidSetting.of(setting, "'" + host + "'", "not a host", "pass a host name or IP address");
    }
    if (port < 1 || port > 65535) {
      throw InvalidSetting.of("port", port + " (for " + host + ")", "out of range", "pass 1 to 65535");
    }
  }
}
