package io.sparking.kafka;

import io.sparking.core.spi.DrainableReceiverStream;
import io.sparking.core.spi.InvalidSetting;
import io.sparking.core.spi.ReceiverStorage;
import io.sparking.kafka.internal.KafkaRedelivery;
import io.sparking.kafka.internal.ReliableKafkaReceiver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaInputDStream;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.kafka010.ConsumerStrategies;
import org.apache.spark.streaming.kafka010.ConsumerStrategy;
import org.apache.spark.streaming.kafka010.KafkaUtils;
import org.apache.spark.streaming.kafka010.LocationStrategies;

/**
 * Creates Kafka streams for Spark Streaming: one line per stream.
 *
 * <pre>{@code
 * KafkaSettings settings = KafkaSettings.builder("localhost:9092", "word-count").topics("words").build();
 *
 * // Reliable receiver: offsets are committed after Spark stored the block (and wrote it to the WAL if enabled).
 * JavaReceiverInputDStream<KafkaRecord> received = SparkingKafka.receiverStream(jssc, settings);
 *
 * // One receiver per topic, unioned into one stream.
 * JavaDStream<KafkaRecord> all = SparkingKafka.receiverStreamPerTopic(jssc, settings.withTopics(List.of("a", "b")));
 *
 * // Direct stream (no receivers), committing offsets after each batch's output succeeded.
 * KafkaDirectStream direct = SparkingKafka.directStream(jssc, settings);
 * direct.foreachBatch((records, time) -> records.foreach(r -> save(r)));
 *
 * // Exactly-once: start from offsets stored with the output, store each batch's ranges with its results.
 * SparkingKafka.directStream(jssc, settings, storedOffsets)
 *     .foreachBatchWithOffsets((records, ranges, time) -> saveInOneTransaction(records, ranges));
 * }</pre>
 *
 * <p>Zero loss with receivers needs {@code spark.streaming.receiver.writeAheadLog.enable=true} and
 * a checkpoint directory on reliable storage ({@code jssc.checkpoint(dir)}); without the log, data
 * stored only in executor memory dies with the executor.
 */
public final class SparkingKafka {
  private SparkingKafka() {}

  /**
   * A stream fed by one reliable receiver with {@link KafkaSettings#threadsPerReceiver()} consumer
   * threads. Offsets are committed to Kafka only after the block holding the records has been
   * stored, so a restarted stream resumes after the last stored record. A receiver that dies before
   * committing what it stored reads it again from the committed offsets; the stream drops those
   * records (each block carries its offsets), so they are not delivered twice. Honours {@code
   * spark.streaming.receiver.maxRate} and backpressure.
   */
  public static JavaReceiverInputDStream<KafkaRecord> receiverStream(
      JavaStreamingContext jssc, KafkaSettings settings) {
    DrainableReceiverStream<KafkaRecord> stream =
        new DrainableReceiverStream<>(
            jssc.ssc(),
            new ReliableKafkaReceiver(
                settings, ReceiverStorage.level(jssc, settings.storageLevel())),
            settings.name() + "@" + settings.groupId(),
            KafkaRecord.class);
    stream.dropping(KafkaRedelivery.INSTANCE);
    return new JavaReceiverInputDStream<>(
        stream, scala.reflect.ClassTag$.MODULE$.apply(KafkaRecord.class));
  }

  /**
   * Like {@link #receiverStream(JavaStreamingContext, KafkaSettings)}, with each record converted
   * by {@code convert} as a batch reads it: the receiver, its blocks and the write-ahead log keep
   * {@link KafkaRecord}s, the stream's batches hold {@code T}. For adapters of another API's record
   * type, such as Spark 2.4's key and value pairs.
   *
   * @param convert serializable; it runs in the tasks that read each batch
   */
  public static <T> JavaReceiverInputDStream<T> receiverStream(
      JavaStreamingContext jssc,
      KafkaSettings settings,
      Function<KafkaRecord, T> convert,
      Class<T> type) {
    if (convert == null || type == null) {
      throw InvalidSetting.of(
          "convert", convert, "missing", "pass a function from KafkaRecord and its result type");
    }
    DrainableReceiverStream<T> stream =
        DrainableReceiverStream.converting(
            jssc.ssc(),
            new ReliableKafkaReceiver(
                settings, ReceiverStorage.level(jssc, settings.storageLevel())),
            settings.name() + "@" + settings.groupId(),
            convert,
            type);
    stream.dropping(KafkaRedelivery.INSTANCE);
    return new JavaReceiverInputDStream<>(stream, scala.reflect.ClassTag$.MODULE$.apply(type));
  }

  /**
   * One reliable receiver per element of {@code receivers} (say, per topic or per partition set),
   * unioned.
   */
  public static JavaDStream<KafkaRecord> receiverStreams(
      JavaStreamingContext jssc, List<KafkaSettings> receivers) {
    if (receivers.isEmpty()) {
      throw InvalidSetting.of(
          "receivers", receivers, "empty", "pass the settings of at least one receiver");
    }
    List<JavaDStream<KafkaRecord>> streams = new ArrayList<>();
    for (KafkaSettings settings : receivers) {
      streams.add(receiverStream(jssc, settings));
    }
    @SuppressWarnings("unchecked")
    JavaDStream<KafkaRecord>[] all = streams.toArray(new JavaDStream[0]);
    return all.length == 1 ? all[0] : jssc.union(all);
  }

  /**
   * Like {@link #receiverStreams(JavaStreamingContext, List)}, then spreads each batch over {@code
   * partitions} partitions, so processing uses every core rather than only the receivers' nodes.
   */
  public static JavaDStream<KafkaRecord> receiverStreams(
      JavaStreamingContext jssc, List<KafkaSettings> receivers, int partitions) {
    if (partitions < 1) {
      throw InvalidSetting.of("partitions", partitions, "below 1", "pass 1 or more");
    }
    return receiverStreams(jssc, receivers).repartition(partitions);
  }

  /** One reliable receiver per topic of {@code settings}, unioned into one stream. */
  public static JavaDStream<KafkaRecord> receiverStreamPerTopic(
      JavaStreamingContext jssc, KafkaSettings settings) {
    if (settings.topics().isEmpty()) {
      throw InvalidSetting.of(
          "topics",
          settings.topics(),
          "empty (the settings assign partitions " + settings.partitions() + ")",
          "receiverStreamPerTopic needs topics; use receiverStreams with one settings"
              + " object per partition set");
    }
    List<KafkaSettings> receivers = new ArrayList<>();
    for (String topic : settings.topics()) {
      receivers.add(settings.withTopics(List.of(topic)));
    }
    return receiverStreams(jssc, receivers);
  }

  /**
   * A direct stream (no receivers) over Spark's official kafka-0-10 connector: each batch reads
   * exact offset ranges from the brokers. Use {@link KafkaDirectStream#foreachBatch} to commit
   * offsets after each batch's output. Honours {@code spark.streaming.kafka.maxRatePerPartition}
   * and backpressure.
   */
  public static KafkaDirectStream directStream(JavaStreamingContext jssc, KafkaSettings settings) {
    ConsumerStrategy<byte[], byte[]> strategy =
        settings.topics().isEmpty()
            ? ConsumerStrategies.<byte[], byte[]>Assign(
                settings.partitions(), settings.consumerConfig())
            : ConsumerStrategies.<byte[], byte[]>Subscribe(
                settings.topics(), settings.consumerConfig());
    JavaInputDStream<ConsumerRecord<byte[], byte[]>> stream =
        KafkaUtils.createDirectStream(jssc, LocationStrategies.PreferConsistent(), strategy);
    return new KafkaDirectStream(stream, settings);
  }

  /**
   * A direct stream that starts each partition of {@code fromOffsets} at the given offset, the next
   * record to read, instead of at the group's committed offset: for an output that stores its
   * offsets itself (say, in the same database transaction as its results) and so is the source of
   * truth on restart. Partitions the map leaves out start as {@link
   * #directStream(JavaStreamingContext, KafkaSettings)} does. Pair it with {@link
   * KafkaDirectStream#foreachBatchWithOffsets} to receive each batch's offset ranges.
   *
   * <pre>{@code
   * Map<TopicPartition, Long> stored = readOffsetsFromMyDatabase();
   * SparkingKafka.directStream(jssc, settings, stored)
   *     .foreachBatchWithOffsets((records, ranges, time) -> saveWithOffsetsInOneTransaction(records, ranges));
   * }</pre>
   *
   * @throws IllegalArgumentException when an offset is negative or names a partition the settings
   *     do not read
   */
  public static KafkaDirectStream directStream(
      JavaStreamingContext jssc, KafkaSettings settings, Map<TopicPartition, Long> fromOffsets) {
    Map<TopicPartition, Long> offsets = checkedOffsets(settings, fromOffsets);
    ConsumerStrategy<byte[], byte[]> strategy =
        settings.topics().isEmpty()
            ? ConsumerStrategies.<byte[], byte[]>Assign(
                settings.partitions(), settings.consumerConfig(), offsets)
            : ConsumerStrategies.<byte[], byte[]>Subscribe(
                settings.topics(), settings.consumerConfig(), offsets);
    return new KafkaDirectStream(
        KafkaUtils.createDirectStream(jssc, LocationStrategies.PreferConsistent(), strategy),
        settings);
  }

  /** A copy of {@code fromOffsets}, each entry checked against what {@code settings} reads. */
  private static Map<TopicPartition, Long> checkedOffsets(
      KafkaSettings settings, Map<TopicPartition, Long> fromOffsets) {
    if (fromOffsets == null) {
      throw InvalidSetting.of(
          "fromOffsets",
          null,
          "missing",
          "pass the offset to start each partition at, or an"
              + " empty map to start as the group would");
    }
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : fromOffsets.entrySet()) {
      TopicPartition partition = e.getKey();
      Long offset = e.getValue();
      if (partition == null || offset == null || offset < 0) {
        throw InvalidSetting.of(
            "fromOffsets",
            partition + "=" + offset,
            "not a starting offset",
            "pass a partition" + " and the offset of the next record to read, 0 or more");
      }
      boolean read =
          settings.topics().isEmpty()
              ? settings.partitions().contains(partition)
              : settings.topics().contains(partition.topic());
      if (!read) {
        throw InvalidSetting.of(
            "fromOffsets",
            partition + "=" + offset,
            "a partition " + settings.name() + " does not read",
            "pass offsets only for the "
                + (settings.topics().isEmpty()
                    ? "assigned partitions " + settings.partitions()
                    : "partitions of topics " + settings.topics()));
      }
      offsets.put(partition, offset);
    }
    return offsets;
  }
}
