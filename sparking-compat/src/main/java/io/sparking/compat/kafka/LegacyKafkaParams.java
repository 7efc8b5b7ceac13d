package io.sparking.compat.kafka;

import io.sparking.core.spi.InvalidSetting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;

/**
 * A Spark 2.4 job's {@code kafkaParams} (settings of Kafka's 0.8 consumer) read for the Kafka
 * consumer Sparking runs: where the brokers and the old offsets are, the group, and the consumer
 * settings that still mean something. Settings only the 0.8 consumer knew are left out and listed
 * in {@link #unused()}.
 */
final class LegacyKafkaParams {
  static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
  static final String ZOOKEEPER_CONNECTION_TIMEOUT = "zookeeper.connection.timeout.ms";
  static final String ZOOKEEPER_SESSION_TIMEOUT = "zookeeper.session.timeout.ms";

  /**
   * Spark 2.4's zkQuorum overloads set a connection timeout of 10 s; so does this API when none is
   * given.
   */
  static final Duration DEFAULT_ZOOKEEPER_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

  private static final int DEFAULT_ZOOKEEPER_SESSION_TIMEOUT_MS = 6000;

  /** 0.8 consumer settings whose meaning lives on under another name. */
  private static final Map<String, String> RENAMED =
      Map.of(
          "fetch.message.max.bytes", ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
          "socket.receive.buffer.bytes", ConsumerConfig.RECEIVE_BUFFER_CONFIG,
          "fetch.wait.max.ms", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);

  /**
   * Decided by Sparking, whatever a 2.4 job set: it commits after store, and the class arguments
   * decode.
   */
  private static final Set<String> DECIDED_HERE =
      Set.of(
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          "auto.commit.enable",
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);

  private final String groupId;
  private final String bootstrapServers;
  private final String zooKeeperConnect;
  private final Duration zooKeeperConnectionTimeout;
  private final int zooKeeperSessionTimeoutMs;
  private final Map<String, Object> consumerProperties;
  private final Map<String, String> all;
  private final List<String> unused;

  private LegacyKafkaParams(Map<String, String> params) {
    this.all = Map.copyOf(params);
    this.groupId = params.get(ConsumerConfig.GROUP_ID_CONFIG);
    if (groupId == null || groupId.isBlank()) {
      throw InvalidSetting.of(
          "group.id",
          groupId == null ? null : "'" + groupId + "'",
          "missing from kafkaParams",
          "pass the consumer group, as Spark 2.4 required: its offsets are where the stream resumes");
    }
    this.bootstrapServers = blankToNull(params.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.zooKeeperConnect = blankToNull(params.get(ZOOKEEPER_CONNECT));
    if (bootstrapServers == null && zooKeeperConnect == null) {
      throw InvalidSetting.of(
          "bootstrap.servers",
          null,
          "missing from kafkaParams (and so is zookeeper.connect)",
          "pass the brokers, such as \"bootstrap.servers\" -> \"broker1:9092\"");
    }
    this.zooKeeperConnectionTimeout =
        Duration.ofMillis(
            millis(
                params,
                ZOOKEEPER_CONNECTION_TIMEOUT,
                DEFAULT_ZOOKEEPER_CONNECTION_TIMEOUT.toMillis()));
    this.zooKeeperSessionTimeoutMs =
        (int) millis(params, ZOOKEEPER_SESSION_TIMEOUT, DEFAULT_ZOOKEEPER_SESSION_TIMEOUT_MS);
    Set<String> known = ConsumerConfig.configNames();
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> left = new ArrayList<>();
    for (Map.Entry<String, String> e : params.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (key.equals(ConsumerConfig.GROUP_ID_CONFIG)
          || key.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
          || key.startsWith("zookeeper.")) {
        continue;
      }
      if (key.equals(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)) {
        properties.put(key, offsetReset(value));
      } else if (key.equals(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)) {
        properties.put(key, assignor(value));
      } else if (RENAMED.containsKey(key)) {
        properties.put(RENAMED.get(key), value);
      } else if (!DECIDED_HERE.contains(key) && known.contains(key)) {
        properties.put(key, value);
      } else {
        left.add(key);
      }
    }
    this.consumerProperties = properties;
    this.unused = List.copyOf(left);
  }

  /** {@code params} as a Spark 2.4 job gave them. */
  static LegacyKafkaParams of(Map<String, String> params) {
    if (params == null) {
      throw InvalidSetting.of(
          "kafkaParams",
          null,
          "missing",
          "pass at least group.id and bootstrap.servers (or" + " zookeeper.connect)");
    }
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw InvalidSetting.of(
            "kafkaParams", params, "a map with a null entry", "pass names and values only");
      }
    }
    return new LegacyKafkaParams(params);
  }

  /**
   * What Spark 2.4's zkQuorum overloads built: the ZooKeeper, the group and a 10 s connection
   * timeout.
   */
  static LegacyKafkaParams ofZooKeeper(String zkQuorum, String groupId) {
    if (zkQuorum == null || zkQuorum.isBlank()) {
      throw InvalidSetting.of(
          "zkQuorum",
          "'" + (zkQuorum == null ? "" : zkQuorum) + "'",
          "empty",
          "pass the ZooKeeper the Kafka brokers register in, such as zk1:2181,zk2:2181/kafka");
    }
    Map<String, String> params = new HashMap<>();
    params.put(ZOOKEEPER_CONNECT, zkQuorum);
    params.put(ConsumerConfig.GROUP_ID_CONFIG, groupId == null ? "" : groupId);
    params.put(
        ZOOKEEPER_CONNECTION_TIMEOUT,
        String.valueOf(DEFAULT_ZOOKEEPER_CONNECTION_TIMEOUT.toMillis()));
    return new LegacyKafkaParams(params);
  }

  String groupId() {
    return groupId;
  }

  /**
   * The brokers given in {@code bootstrap.servers}, or null when they are to be found in ZooKeeper.
   */
  String bootstrapServers() {
    return bootstrapServers;
  }

  /** {@code zookeeper.connect}, or null. */
  String zooKeeperConnect() {
    return zooKeeperConnect;
  }

  Duration zooKeeperConnectionTimeout() {
    return zooKeeperConnectionTimeout;
  }

  int zooKeeperSessionTimeoutMs() {
    return zooKeeperSessionTimeoutMs;
  }

  /**
   * The security protocol the consumer speaks, to pick the brokers' matching listener from
   * ZooKeeper.
   */
  String securityProtocol() {
    return String.valueOf(consumerProperties.getOrDefault("security.protocol", "PLAINTEXT"))
        .toUpperCase(Locale.ROOT);
  }

  /**
   * Settings for the Kafka consumer: the 0.8 ones translated, the ones it does not know left out.
   */
  Map<String, Object> consumerProperties() {
    return consumerProperties;
  }

  /** Every setting as given, for the deserializers' {@code configure}. */
  Map<String, String> all() {
    return all;
  }

  /** The settings given that the Kafka consumer does not use. */
  List<String> unused() {
    return unused;
  }

  private static String offsetReset(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "smallest", "earliest" -> "earliest";
      case "largest", "latest" -> "latest";
      case "none" -> "none";
      default ->
          throw InvalidSetting.of(
              "auto.offset.reset",
              value,
              "not an offset reset policy",
              "pass smallest or largest (Spark 2.4's names) or earliest, latest or none");
    };
  }

  private static String assignor(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "range" -> RangeAssignor.class.getName();
      case "roundrobin" -> RoundRobinAssignor.class.getName();
      default -> value;
    };
  }

  private static long millis(Map<String, String> params, String key, long otherwise) {
    String value = params.get(key);
    if (value == null) {
      return otherwise;
    }
    try {
      long millis = Long.parseLong(value.trim());
      if (millis >= 1 && millis <= 600_000) {
        return millis;
      }
    } catch (NumberFormatException e) {
      // Reported below with the range.
    }
    throw InvalidSetting.of(key, value, "not a time in milliseconds", "pass 1 to 600000");
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
