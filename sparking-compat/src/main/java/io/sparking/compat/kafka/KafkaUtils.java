package io.sparking.compat.kafka;

import static io.sparking.compat.internal.LegacyArguments.requiredStorageLevel;

import io.sparking.core.spi.InvalidSetting;
import io.sparking.kafka.KafkaSettings;
import io.sparking.kafka.SparkingKafka;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaPairReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * Spark 2.4.8's receiver-based {@code org.apache.spark.streaming.kafka.KafkaUtils.createStream}
 * (kafka-0-8) over Sparking's reliable receiver: a Spark 2.4 job changes its import to {@code
 * io.sparking.compat.kafka._} (Scala) or {@code io.sparking.compat.kafka.*} (Java) and runs on
 * Spark 3.5 or 4.x against today's brokers.
 *
 * <pre>{@code
 * val topicMap = Map("words" -> 2)                                     // topic -> receiver threads
 * val lines = KafkaUtils.createStream(ssc, "zk1:2181", "word-count", topicMap).map(_._2)
 * }</pre>
 *
 * <ul>
 *   <li>A {@code zkQuorum} (or {@code zookeeper.connect}) names the ZooKeeper a Kafka cluster (up
 *       to 3.9) registers its brokers in: the stream finds them there and logs them. A ZooKeeper
 *       without brokers, or none, fails at once with an error naming {@code bootstrap.servers},
 *       which the {@code kafkaParams} overloads take instead.
 *   <li>The offsets the 0.8 consumer kept in ZooKeeper ({@code
 *       /consumers/<group>/offsets/<topic>/<partition>}) are imported into the group's offsets in
 *       Kafka on the first start, when Kafka holds none for the group; a log line says what was
 *       imported. From then on the offsets live in Kafka, committed after Spark stored the records.
 *   <li>Spark 2.4's {@code Decoder} type parameters become Kafka {@link Deserializer} classes:
 *       {@code StringDecoder} is {@link StringDeserializer}, {@code DefaultDecoder} is {@code
 *       ByteArrayDeserializer}.
 *   <li>{@code spark.streaming.receiver.writeAheadLog.enable=true} writes received blocks ahead, as
 *       it selected Spark 2.4's reliable receiver; Sparking's receiver commits offsets only after
 *       the store either way.
 * </ul>
 *
 * <p>A map of topics gives one receiver with as many consumer threads as the map's values add up
 * to, as in 2.4. The full list of differences is in docs/migration.md.
 */
// Spark 3.5 and 4.x deprecate the DStream API as a whole; it is the API this class serves.
// Scala 2.13 deprecates scala.collection.JavaConverters; it is the converter Scala 2.12 has too.
@SuppressWarnings("deprecation")
public final class KafkaUtils {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaUtils.class);

  /**
   * Spark 2.4's storage level of received blocks when none is given: serialized, memory then disk,
   * two copies.
   */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL = KafkaSettings.DEFAULT_STORAGE_LEVEL;

  /** The most consumer threads one stream runs (the sum of the topic map's values). */
  public static final int MAX_THREADS = 64;

  private KafkaUtils() {}

  // Scala.

  /**
   * A stream of (key, value) strings of {@code topics} (topic to consumer threads) read by {@code
   * groupId}, from the brokers registered in the ZooKeeper {@code zkQuorum}. Without a storage
   * level Spark 2.4 kept {@link #DEFAULT_STORAGE_LEVEL}; so does this stream, or one copy when the
   * write-ahead log holds the other.
   */
  public static ReceiverInputDStream<Tuple2<String, String>> createStream(
      StreamingContext ssc,
      String zkQuorum,
      String groupId,
      scala.collection.immutable.Map<String, ?> topics) {
    return stream(
            new JavaStreamingContext(ssc),
            LegacyKafkaParams.ofZooKeeper(zkQuorum, groupId),
            "zkQuorum",
            fromScala(topics),
            null,
            String.class,
            String.class,
            StringDeserializer.class,
            StringDeserializer.class)
        .receiverInputDStream();
  }

  /**
   * Like {@link #createStream(StreamingContext, String, String, scala.collection.immutable.Map)},
   * at a level.
   */
  public static ReceiverInputDStream<Tuple2<String, String>> createStream(
      StreamingContext ssc,
      String zkQuorum,
      String groupId,
      scala.collection.immutable.Map<String, ?> topics,
      StorageLevel storageLevel) {
    return stream(
            new JavaStreamingContext(ssc),
            LegacyKafkaParams.ofZooKeeper(zkQuorum, groupId),
            "zkQuorum",
            fromScala(topics),
            requiredStorageLevel(storageLevel),
            String.class,
            String.class,
            StringDeserializer.class,
            StringDeserializer.class)
        .receiverInputDStream();
  }

  /**
   * Spark 2.4's {@code createStream[K, V, U <: Decoder[_], T <: Decoder[_]](ssc, kafkaParams,
   * topics, storageLevel)} with the decoders given as Kafka deserializer classes:
   *
   * <pre>{@code
   * KafkaUtils.createStream(ssc, Map("bootstrap.servers" -> "broker1:9092", "group.id" -> "g"), Map("words" -> 1),
   *   StorageLevel.MEMORY_AND_DISK_SER_2, classOf[StringDeserializer], classOf[StringDeserializer])
   * }</pre>
   *
   * <p>{@code kafkaParams} needs {@code group.id} and {@code bootstrap.servers} or {@code
   * zookeeper.connect} (or both: the brokers from the first, the old offsets from the second). 0.8
   * settings are translated ({@code auto.offset.reset} {@code smallest}/{@code largest}, {@code
   * fetch.message.max.bytes}, ...), settings the Kafka consumer does not know are left out and
   * logged, and the deserializers are configured with all of them.
   */
  public static <K, V> ReceiverInputDStream<Tuple2<K, V>> createStream(
      StreamingContext ssc,
      scala.collection.immutable.Map<String, String> kafkaParams,
      scala.collection.immutable.Map<String, ?> topics,
      StorageLevel storageLevel,
      Class<? extends Deserializer<K>> keyDeserializerClass,
      Class<? extends Deserializer<V>> valueDeserializerClass) {
    return stream(
            new JavaStreamingContext(ssc),
            LegacyKafkaParams.of(
                kafkaParams == null ? null : JavaConverters.mapAsJavaMap(kafkaParams)),
            LegacyKafkaParams.ZOOKEEPER_CONNECT,
            fromScala(topics),
            requiredStorageLevel(storageLevel),
            null,
            null,
            keyDeserializerClass,
            valueDeserializerClass)
        .receiverInputDStream();
  }

  // Java.

  /**
   * See {@link #createStream(StreamingContext, String, String, scala.collection.immutable.Map)}.
   */
  public static JavaPairReceiverInputDStream<String, String> createStream(
      JavaStreamingContext jssc, String zkQuorum, String groupId, Map<String, Integer> topics) {
    return stream(
        jssc,
        LegacyKafkaParams.ofZooKeeper(zkQuorum, groupId),
        "zkQuorum",
        topics,
        null,
        String.class,
        String.class,
        StringDeserializer.class,
        StringDeserializer.class);
  }

  /**
   * See {@link #createStream(StreamingContext, String, String, scala.collection.immutable.Map,
   * StorageLevel)}.
   */
  public static JavaPairReceiverInputDStream<String, String> createStream(
      JavaStreamingContext jssc,
      String zkQuorum,
      String groupId,
      Map<String, Integer> topics,
      StorageLevel storageLevel) {
    return stream(
        jssc,
        LegacyKafkaParams.ofZooKeeper(zkQuorum, groupId),
        "zkQuorum",
        topics,
        requiredStorageLevel(storageLevel),
        String.class,
        String.class,
        StringDeserializer.class,
        StringDeserializer.class);
  }

  /**
   * Spark 2.4's Java {@code createStream(jssc, keyType, valueType, keyDecoderClass,
   * valueDecoderClass, kafkaParams, topics, storageLevel)} with Kafka deserializer classes in place
   * of the decoders (see {@link #createStream(StreamingContext, scala.collection.immutable.Map,
   * scala.collection.immutable.Map, StorageLevel, Class, Class)}).
   */
  public static <K, V, U extends Deserializer<K>, T extends Deserializer<V>>
      JavaPairReceiverInputDStream<K, V> createStream(
          JavaStreamingContext jssc,
          Class<K> keyType,
          Class<V> valueType,
          Class<U> keyDeserializerClass,
          Class<T> valueDeserializerClass,
          Map<String, String> kafkaParams,
          Map<String, Integer> topics,
          StorageLevel storageLevel) {
    return stream(
        jssc,
        LegacyKafkaParams.of(kafkaParams),
        LegacyKafkaParams.ZOOKEEPER_CONNECT,
        topics,
        requiredStorageLevel(storageLevel),
        keyType,
        valueType,
        keyDeserializerClass,
        valueDeserializerClass);
  }

  /**
   * The one path of every overload: the brokers (given, or found in ZooKeeper), the offsets carried
   * over once, then Sparking's reliable receiver with each record decoded into a pair as a batch
   * reads it.
   *
   * @param zkSetting what the caller called the ZooKeeper address, for errors
   * @param storageLevel null for the default by the write-ahead-log setting
   */
  private static <K, V> JavaPairReceiverInputDStream<K, V> stream(
      JavaStreamingContext jssc,
      LegacyKafkaParams params,
      String zkSetting,
      Map<String, ? extends Number> topics,
      StorageLevel storageLevel,
      Class<K> keyType,
      Class<V> valueType,
      Class<? extends Deserializer<K>> keyDeserializerClass,
      Class<? extends Deserializer<V>> valueDeserializerClass) {
    Objects.requireNonNull(jssc, "ssc");
    RecordToPair.instantiate(
        InvalidSetting.required(
            "keyDeserializerClass",
            keyDeserializerClass,
            "pass a Kafka Deserializer class, such as classOf[StringDeserializer]"),
        true);
    RecordToPair.instantiate(
        InvalidSetting.required(
            "valueDeserializerClass",
            valueDeserializerClass,
            "pass a Kafka Deserializer class, such as classOf[StringDeserializer]"),
        false);
    Map<String, Integer> threadsPerTopic = checkedTopics(topics);
    int threads = threadsPerTopic.values().stream().mapToInt(Integer::intValue).sum();
    if (!params.unused().isEmpty()) {
      LOG.info(
          "Kafka settings of group {} that only Kafka's 0.8 consumer knew, left out: {}",
          params.groupId(),
          params.unused());
    }
    List<String> topicNames = new ArrayList<>(threadsPerTopic.keySet());
    KafkaSettings settings;
    try (ZooKeeperCluster zooKeeper =
        params.zooKeeperConnect() == null
            ? null
            : new ZooKeeperCluster(
                zkSetting,
                params.zooKeeperConnect(),
                params.zooKeeperConnectionTimeout(),
                params.zooKeeperSessionTimeoutMs())) {
      String brokers = params.bootstrapServers();
      if (brokers == null) {
        brokers = zooKeeper.brokers(params.securityProtocol());
        LOG.info(
            "Found the Kafka brokers {} registered in ZooKeeper {}: the stream of group {} reads from them",
            brokers,
            zooKeeper.connectString(),
            params.groupId());
      }
      KafkaSettings.Builder builder =
          KafkaSettings.builder(brokers, params.groupId())
              .topics(topicNames)
              .threadsPerReceiver(threads)
              .consumerProperties(params.consumerProperties());
      if (storageLevel != null) {
        builder.storageLevel(storageLevel);
      }
      settings = builder.build();
      if (zooKeeper != null) {
        ZooKeeperOffsetImport.importIfAbsent(
            zooKeeper, brokers, params.groupId(), topicNames, params.consumerProperties());
      }
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Tuple2<K, V>> pairs = (Class) Tuple2.class;
    JavaReceiverInputDStream<Tuple2<K, V>> stream =
        SparkingKafka.receiverStream(
            jssc,
            settings,
            new RecordToPair<>(keyDeserializerClass, valueDeserializerClass, params.all()),
            pairs);
    return JavaPairReceiverInputDStream.fromReceiverInputDStream(
        stream.receiverInputDStream(),
        ClassTag$.MODULE$.apply(keyType == null ? Object.class : keyType),
        ClassTag$.MODULE$.apply(valueType == null ? Object.class : valueType));
  }

  private static Map<String, Integer> checkedTopics(Map<String, ? extends Number> topics) {
    String example = "such as Map(\"words\" -> 1) in Scala or Map.of(\"words\", 1) in Java";
    if (topics == null || topics.isEmpty()) {
      throw InvalidSetting.of(
          "topics",
          topics == null ? null : "{}",
          "empty",
          "pass each topic with its number of" + " receiver threads, " + example);
    }
    Map<String, Integer> checked = new LinkedHashMap<>();
    for (Map.Entry<String, ? extends Number> e : topics.entrySet()) {
      if (e.getKey() == null
          || e.getKey().isBlank()
          || e.getValue() == null
          || e.getValue().intValue() < 1) {
        throw InvalidSetting.of(
            "topics",
            topics,
            "not a map of topics to thread counts (" + e.getKey() + " -> " + e.getValue() + ")",
            "pass a topic name and 1 or more threads for each entry, " + example);
      }
      checked.put(e.getKey(), e.getValue().intValue());
    }
    int threads = checked.values().stream().mapToInt(Integer::intValue).sum();
    if (threads > MAX_THREADS) {
      throw InvalidSetting.of(
          "topics",
          topics,
          "asking for " + threads + " consumer threads in one receiver",
          "ask for at most " + MAX_THREADS + " in all, or create several streams and union them");
    }
    return checked;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ? extends Number> fromScala(
      scala.collection.immutable.Map<String, ?> topics) {
    if (topics == null) {
      return null;
    }
    Map<String, Object> map =
        (Map<String, Object>) (Map<String, ?>) JavaConverters.mapAsJavaMap(topics);
    for (Object value : map.values()) {
      if (!(value instanceof Number)) {
        throw InvalidSetting.of(
            "topics",
            map,
            "not a map of topics to thread counts (" + value + ")",
            "pass each topic with a number of threads, such as Map(\"words\" -> 1)");
      }
    }
    return (Map<String, ? extends Number>) (Map<String, ?>) map;
  }
}
