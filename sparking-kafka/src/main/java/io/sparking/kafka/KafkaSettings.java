package io.sparking.kafka;

import io.sparking.core.spi.InvalidSetting;
import io.sparking.core.spi.ReceiverStorage;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.storage.StorageLevel;

/**
 * What a Sparking Kafka stream reads and how: brokers, consumer group, topics (or an explicit
 * partition set) and any Kafka consumer setting, passed through untouched. Built once with {@link
 * #builder}, validated at construction.
 *
 * <pre>{@code
 * KafkaSettings settings = KafkaSettings.builder("broker1:9092,broker2:9092", "word-count")
 *     .topics("words")
 *     .threadsPerReceiver(2)
 *     .consumerProperty("security.protocol", "SASL_SSL")
 *     .build();
 * }</pre>
 *
 * <p>Required: bootstrap servers, group id, and topics or partitions. Sparking commits offsets
 * itself, so {@code enable.auto.commit} must stay false; records carry raw bytes, so key and value
 * deserializers are fixed. When no {@code auto.offset.reset} is given, a new group starts at the
 * earliest offset, so nothing already in the topic is skipped.
 */
public final class KafkaSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Default number of consumer threads per receiver. */
  public static final int DEFAULT_THREADS_PER_RECEIVER = 1;

  /** Where receivers keep blocks without the write-ahead log: two serialized copies. */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL = ReceiverStorage.DEFAULT_LEVEL;

  /**
   * Where receivers keep blocks with the write-ahead log: one serialized copy, the log holds the
   * other.
   */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG =
      ReceiverStorage.DEFAULT_LEVEL_WITH_WRITE_AHEAD_LOG;

  /** Default time one {@code poll} waits for records. */
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(500);

  private static final int MAX_THREADS_PER_RECEIVER = 64;

  private final String bootstrapServers;
  private final String groupId;
  private final List<String> topics;
  private final List<TopicPartition> partitions;
  private final int threadsPerReceiver;
  private final Duration pollTimeout;
  private final StorageLevel storageLevel;
  private final String name;
  private final Map<String, Object> consumerProperties;

  private KafkaSettings(Builder b) {
    this.bootstrapServers = BootstrapServers.validate(b.bootstrapServers);
    if (b.groupId == null || b.groupId.isBlank()) {
      throw InvalidSetting.of(
          "group.id",
          "'" + b.groupId + "'",
          "empty",
          "pass the consumer group whose committed"
              + " offsets the stream resumes from, such as \"word-count\"");
    }
    this.groupId = b.groupId;
    if (b.topics.isEmpty() == b.partitions.isEmpty()) {
      throw InvalidSetting.of(
          "topics",
          b.topics + " with partitions=" + b.partitions,
          "ambiguous",
          "give either topics or partitions: topics subscribe through the group, partitions are assigned as listed");
    }
    for (String topic : b.topics) {
      if (topic == null || topic.isBlank() || topic.contains(",")) {
        throw InvalidSetting.of(
            "topics",
            b.topics,
            "not a list of topic names ('" + topic + "')",
            "pass one name per entry, such as topics(\"a\", \"b\")");
      }
    }
    this.topics = List.copyOf(b.topics);
    this.partitions = List.copyOf(b.partitions);
    this.threadsPerReceiver =
        InvalidSetting.inRange(
            "threadsPerReceiver", b.threadsPerReceiver, 1, MAX_THREADS_PER_RECEIVER, "");
    this.pollTimeout =
        InvalidSetting.inRange(
            "pollTimeout", b.pollTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
    this.storageLevel = b.storageLevel;
    this.name = b.name;
    this.consumerProperties = checkedProperties(b.consumerProperties);
  }

  /**
   * Starts settings for a stream of {@code groupId} reading from the brokers in {@code
   * bootstrapServers}.
   *
   * @param bootstrapServers comma-separated {@code host:port} of Kafka brokers (not ZooKeeper)
   * @param groupId the consumer group; its committed offsets are where a restarted stream resumes
   */
  public static Builder builder(String bootstrapServers, String groupId) {
    return new Builder(bootstrapServers, groupId);
  }

  /** The comma-separated broker addresses. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The consumer group. */
  public String groupId() {
    return groupId;
  }

  /** The subscribed topics; empty when {@link #partitions()} are assigned instead. */
  public List<String> topics() {
    return topics;
  }

  /** The assigned partitions; empty when {@link #topics()} are subscribed instead. */
  public List<TopicPartition> partitions() {
    return partitions;
  }

  /** Consumer threads per receiver (receiver streams only). */
  public int threadsPerReceiver() {
    return threadsPerReceiver;
  }

  /** How long one poll waits for records (receiver streams only). */
  public Duration pollTimeout() {
    return pollTimeout;
  }

  /**
   * The storage level for received blocks, if set; otherwise the receiver picks one from the WAL
   * setting.
   */
  public Optional<StorageLevel> storageLevel() {
    return Optional.ofNullable(storageLevel);
  }

  /** A readable name for the receiver in the Spark UI and logs. */
  public String name() {
    if (name != null) {
      return name;
    }
    return "kafka[" + (topics.isEmpty() ? partitions.toString() : String.join(",", topics)) + "]";
  }

  /** The user's own consumer settings, as given. */
  public Map<String, Object> consumerProperties() {
    return consumerProperties;
  }

  /**
   * The complete configuration for a {@code KafkaConsumer<byte[], byte[]>} reading these settings.
   */
  public Map<String, Object> consumerConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.putAll(consumerProperties);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return config;
  }

  /**
   * A copy of these settings reading {@code partitions} instead, for one receiver of a partition
   * set.
   */
  public KafkaSettings withPartitions(Collection<TopicPartition> partitions) {
    Builder b = toBuilder();
    b.topics.clear();
    b.partitions.clear();
    b.partitions.addAll(partitions);
    return b.build();
  }

  /** A copy of these settings subscribing to {@code topics} instead. */
  public KafkaSettings withTopics(Collection<String> topics) {
    Builder b = toBuilder();
    b.partitions.clear();
    b.topics.clear();
    b.topics.addAll(topics);
    return b.build();
  }

  private Builder toBuilder() {
    Builder b = new Builder(bootstrapServers, groupId);
    b.topics.addAll(topics);
    b.partitions.addAll(partitions);
    b.threadsPerReceiver = threadsPerReceiver;
    b.pollTimeout = pollTimeout;
    b.storageLevel = storageLevel;
    b.name = name;
    b.consumerProperties.putAll(consumerProperties);
    return b;
  }

  private static Map<String, Object> checkedProperties(Map<String, Object> given) {
    for (Map.Entry<String, Object> e : given.entrySet()) {
      String key = e.getKey();
      switch (key) {
        case ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG -> {
          if (!"false".equals(String.valueOf(e.getValue()).toLowerCase(Locale.ROOT))) {
            throw InvalidSetting.of(
                key,
                e.getValue(),
                "a commit before Spark has stored the records",
                "remove it"
                    + " (Sparking commits after store, or after output for the direct stream)");
          }
        }
        case ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG ->
            throw InvalidSetting.of(
                key,
                e.getValue(),
                "not supported",
                "remove it: records carry the raw bytes"
                    + " (KafkaRecord.key()/value()); decode them in a map over the stream");
        case ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG ->
            throw InvalidSetting.of(
                key, e.getValue(), "given twice", "pass it to KafkaSettings.builder(...) only");
        default -> {
          if (e.getValue() == null) {
            throw InvalidSetting.of(key, null, "missing", "pass a value or leave the setting out");
          }
        }
      }
    }
    return Map.copyOf(new LinkedHashMap<>(given));
  }

  /** Builds {@link KafkaSettings}; every method returns this builder. */
  public static final class Builder {
    private final String bootstrapServers;
    private final String groupId;
    private final List<String> topics = new ArrayList<>();
    private final List<TopicPartition> partitions = new ArrayList<>();
    private int threadsPerReceiver = DEFAULT_THREADS_PER_RECEIVER;
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private StorageLevel storageLevel;
    private String name;
    private final Map<String, Object> consumerProperties = new LinkedHashMap<>();

    private Builder(String bootstrapServers, String groupId) {
      this.bootstrapServers = bootstrapServers;
      this.groupId = groupId;
    }

    /** Subscribes to these topics through the consumer group. */
    public Builder topics(String... topics) {
      return topics(List.of(topics));
    }

    /** Subscribes to these topics through the consumer group. */
    public Builder topics(Collection<String> topics) {
      this.topics.addAll(topics);
      return this;
    }

    /**
     * Reads exactly these partitions (no group rebalancing), committing offsets under the group id.
     */
    public Builder partitions(Collection<TopicPartition> partitions) {
      this.partitions.addAll(partitions);
      return this;
    }

    /**
     * Consumer threads per receiver, each with its own {@code KafkaConsumer}; default 1, at most
     * 64.
     */
    public Builder threadsPerReceiver(int threads) {
      this.threadsPerReceiver = threads;
      return this;
    }

    /** How long one poll waits for records; default 500 ms. */
    public Builder pollTimeout(Duration timeout) {
      this.pollTimeout = Objects.requireNonNull(timeout, "pollTimeout");
      return this;
    }

    /**
     * Storage level of received blocks. Default: {@code MEMORY_AND_DISK_SER_2}, or {@code
     * MEMORY_AND_DISK_SER} when the write-ahead log is on (the log already makes the data durable,
     * so a second copy only costs).
     */
    public Builder storageLevel(StorageLevel level) {
      this.storageLevel = Objects.requireNonNull(level, "storageLevel");
      return this;
    }

    /** A name for the receiver in the Spark UI and logs; default {@code kafka[<topics>]}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Any Kafka consumer setting ({@code security.protocol}, {@code sasl.jaas.config}, ...), passed
     * through.
     */
    public Builder consumerProperty(String key, Object value) {
      this.consumerProperties.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    /** Many Kafka consumer settings at once, passed through. */
    public Builder consumerProperties(Map<String, ?> properties) {
      properties.forEach(this::consumerProperty);
      return this;
    }

    /** Validates and builds the settings. */
    public KafkaSettings build() {
      return new KafkaSettings(this);
    }
  }
}
