package io.sparking.kafka;

import io.sparking.kafka.internal.KafkaReceiverStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.spark.storage.StorageLevel;
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
 * }</pre>
 *
 * <p>Zero loss with receivers needs {@code spark.streaming.receiver.writeAheadLog.enable=true} and a checkpoint
 * directory on reliable storage ({@code jssc.checkpoint(dir)}); without the log, data stored only in executor memory
 * dies with the executor.
 */
public final class SparkingKafka {
  static final String WAL_ENABLED = "spark.streaming.receiver.writeAheadLog.enable";

  private SparkingKafka() {}

  /**
   * A stream fed by one reliable receiver with {@link KafkaSettings#consumerThreads()} consumer threads. Offsets are
   * committed to Kafka only after the block holding the records has been stored, so a restarted stream resumes
   * after the last stored record. Honours {@code spark.streaming.receiver.maxRate} and backpressure.
   */
  public static JavaReceiverInputDStream<KafkaRecord> receiverStream(JavaStreamingContext jssc,
      KafkaSettings settings) {
    KafkaReceiverStream stream = new KafkaReceiverStream(jssc.ssc(), settings, storageLevel(jssc, settings));
    return new JavaReceiverInputDStream<>(stream, scala.reflect.ClassTag$.MODULE$.apply(KafkaRecord.class));
  }

  /** One reliable receiver per element of {@code receivers} (say, per topic or per partition set), unioned. */
  public static JavaDStream<KafkaRecord> unionReceiverStreams(JavaStreamingContext jssc,
      List<KafkaSettings> receivers) {
    if (receivers.isEmpty()) {
      throw new IllegalArgumentException("receivers is empty: pass the settings of at least one receiver");
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
   * Like {@link #unionReceiverStreams(JavaStreamingContext, List)}, then spreads each batch over {@code partitions}
   * partitions, so processing uses every core rather than only the receivers' nodes.
   */
  public static JavaDStream<KafkaRecord> unionReceiverStreams(JavaStreamingContext jssc, List<KafkaSettings> receivers,
      int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions=" + partitions + ": pass 1 or more");
    }
    return unionReceiverStreams(jssc, receivers).repartition(partitions);
  }

  /** One reliable receiver per topic of {@code settings}, unioned into one stream. */
  public static JavaDStream<KafkaRecord> receiverStreamPerTopic(JavaStreamingContext jssc, KafkaSettings settings) {
    if (settings.topics().isEmpty()) {
      throw new IllegalArgumentException("receiverStreamPerTopic needs topics; the settings assign partitions "
          + settings.partitions() + ": use unionReceiverStreams with one settings object per partition set");
    }
    List<KafkaSettings> receivers = new ArrayList<>();
    for (String topic : settings.topics()) {
      receivers.add(settings.withTopics(List.of(topic)));
    }
    return unionReceiverStreams(jssc, receivers);
  }

  /**
   * A direct stream (no receivers) over Spark's official kafka-0-10 connector: each batch reads exact offset ranges
   * from the brokers. Use {@link KafkaDirectStream#foreachBatch} to commit offsets after each batch's output.
   * Honours {@code spark.streaming.kafka.maxRatePerPartition} and backpressure.
   */
  public static KafkaDirectStream directStream(JavaStreamingContext jssc, KafkaSettings settings) {
    ConsumerStrategy<byte[], byte[]> strategy = settings.topics().isEmpty()
        ? ConsumerStrategies.<byte[], byte[]>Assign(settings.partitions(), settings.consumerConfig())
        : ConsumerStrategies.<byte[], byte[]>Subscribe(settings.topics(), settings.consumerConfig());
    JavaInputDStream<ConsumerRecord<byte[], byte[]>> stream =
        KafkaUtils.createDirectStream(jssc, LocationStrategies.PreferConsistent(), strategy);
    return new KafkaDirectStream(stream);
  }

  private static StorageLevel storageLevel(JavaStreamingContext jssc, KafkaSettings settings) {
    boolean wal = jssc.sparkContext().getConf().getBoolean(WAL_ENABLED, false);
    return settings.storageLevel().orElse(wal ? StorageLevel.MEMORY_AND_DISK_SER() : StorageLevel.MEMORY_AND_DISK_SER_2());
  }
}
