package io.sparking.compat.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.compat.CompatStreams;
import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.ZooKeeperServer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * Every overload of {@link KafkaUtils} on a Kafka 3.9.1 broker registered in a real ZooKeeper, the
 * offset import from the 0.8 consumer's ZooKeeper tree, and the errors for addresses that hold no
 * brokers.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
@Tag("every-line")
class KafkaUtilsTest {
  private static final String TOPIC = "events";
  private static final int RECORDS = 600;
  private static ZooKeeperServer zooKeeper;
  private static KafkaBroker broker;

  @BeforeAll
  static void startCluster() {
    zooKeeper = ZooKeeperServer.start();
    try {
      broker = KafkaBroker.startInZooKeeperMode(zooKeeper.connectString());
      broker.createTopic(TOPIC, 2);
      broker.produce(TOPIC, KafkaBroker.numbered("event", 0, RECORDS));
    } catch (RuntimeException e) {
      zooKeeper.close();
      throw e;
    }
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (broker != null) {
        broker.close();
      }
    } finally {
      zooKeeper.close();
    }
  }

  @Test
  void everyOverloadReadsEveryRecordOnceAsKeyAndValue() {
    String zk = zooKeeper.connectString();
    scala.collection.immutable.Map<String, Object> scalaTopics =
        scalaMap(Map.of(TOPIC, (Object) 1));
    scala.collection.immutable.Map<String, String> scalaParams =
        scalaMap(
            Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "group.id", "scala-params",
                "auto.offset.reset", "smallest",
                // 0.8 settings a 2.4 job carries: one renamed for the Kafka consumer, one left out.
                "fetch.message.max.bytes", "1048576",
                "consumer.timeout.ms", "-1"));
    Map<String, String> javaParams =
        Map.of("zookeeper.connect", zk, "group.id", "java-params", "auto.offset.reset", "smallest");
    try (CompatStreams streams = CompatStreams.create()) {
      var jssc = streams.jssc();
      var ssc = jssc.ssc();
      streams.collect(
          "scala zkQuorum", scala(KafkaUtils.createStream(ssc, zk, "scala-zk", scalaTopics)));
      streams.collect(
          "scala zkQuorum level",
          scala(
              KafkaUtils.createStream(
                  ssc, zk, "scala-zk-level", scalaTopics, StorageLevel.MEMORY_ONLY())));
      streams.collect(
          "scala kafkaParams",
          scala(
              KafkaUtils.createStream(
                  ssc,
                  scalaParams,
                  scalaTopics,
                  StorageLevel.MEMORY_AND_DISK_SER_2(),
                  StringDeserializer.class,
                  StringDeserializer.class)));
      streams.collect(
          "java zkQuorum",
          KafkaUtils.createStream(jssc, zk, "java-zk", Map.of(TOPIC, 2)).map(KafkaUtilsTest::line));
      streams.collect(
          "java zkQuorum level",
          KafkaUtils.createStream(
                  jssc, zk, "java-zk-level", Map.of(TOPIC, 1), StorageLevel.MEMORY_AND_DISK_SER_2())
              .map(KafkaUtilsTest::line));
      streams.collect(
          "java kafkaParams",
          KafkaUtils.createStream(
                  jssc,
                  String.class,
                  String.class,
                  StringDeserializer.class,
                  StringDeserializer.class,
                  javaParams,
                  Map.of(TOPIC, 1),
                  StorageLevel.MEMORY_AND_DISK_SER())
              .map(KafkaUtilsTest::line));
      Map<String, List<String>> received = streams.start().awaitAndStop(RECORDS);

      List<String> expected =
          KafkaBroker.numbered("event", 0, RECORDS).stream().map(v -> "null=" + v).toList();
      assertThat(received).hasSize(6);
      received.forEach(
          (overload, lines) ->
              assertThat(lines).as(overload).containsExactlyInAnyOrderElementsOf(expected));
    }
  }

  @Test
  void importsTheOffsetsOfThe08ConsumerOnceWhenKafkaHoldsNone() throws Exception {
    String group = "imported-once";
    writeOldConsumerOffsets(group, Map.of(0, 120L, 1, 80L));
    try (ZooKeeperCluster cluster =
        new ZooKeeperCluster(
            "zkQuorum",
            zooKeeper.connectString(),
            LegacyKafkaParams.DEFAULT_ZOOKEEPER_CONNECTION_TIMEOUT,
            6000)) {
      Map<TopicPartition, Long> imported =
          ZooKeeperOffsetImport.importIfAbsent(
              cluster, broker.bootstrapServers(), group, List.of(TOPIC), Map.of());
      assertThat(imported)
          .isEqualTo(Map.of(new TopicPartition(TOPIC, 0), 120L, new TopicPartition(TOPIC, 1), 80L));
      assertThat(broker.committedOffsets(group)).isEqualTo(imported);

      // A second start finds the offsets in Kafka, so the ZooKeeper tree is never read again.
      writeOldConsumerOffsets(group, Map.of(0, 5L, 1, 5L));
      assertThat(
              ZooKeeperOffsetImport.importIfAbsent(
                  cluster, broker.bootstrapServers(), group, List.of(TOPIC), Map.of()))
          .isEmpty();
      assertThat(broker.committedOffsets(group)).isEqualTo(imported);

      assertThat(
              ZooKeeperOffsetImport.importIfAbsent(
                  cluster,
                  broker.bootstrapServers(),
                  "never-in-zookeeper",
                  List.of(TOPIC),
                  Map.of()))
          .isEmpty();
      assertThat(broker.committedOffsets("never-in-zookeeper")).isEmpty();
    }
  }

  @Test
  void findsTheBrokersRegisteredInZooKeeper() {
    try (ZooKeeperCluster cluster =
        new ZooKeeperCluster(
            "zkQuorum",
            zooKeeper.connectString(),
            LegacyKafkaParams.DEFAULT_ZOOKEEPER_CONNECTION_TIMEOUT,
            6000)) {
      assertThat(cluster.brokers("PLAINTEXT")).isEqualTo(broker.bootstrapServers());
      assertThatThrownBy(() -> cluster.brokers("SASL_SSL"))
          .hasMessageStartingWith(
              "zkQuorum="
                  + zooKeeper.connectString()
                  + " is a ZooKeeper whose brokers have no"
                  + " SASL_SSL listener (they offer [PLAINTEXT://"
                  + broker.bootstrapServers()
                  + "])")
          .hasMessageContaining("bootstrap.servers");
    }
  }

  @Test
  void refusesAZooKeeperWithoutBrokersNamingBootstrapServers() {
    String chroot = zooKeeper.connectString() + "/no-kafka-here";
    try (CompatStreams streams = CompatStreams.create()) {
      assertThatThrownBy(
              () -> KafkaUtils.createStream(streams.jssc(), chroot, "g", Map.of(TOPIC, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "zkQuorum="
                  + chroot
                  + " is a ZooKeeper in which no Kafka broker is registered (no"
                  + " /brokers/ids/<id>; Kafka 4 and KRaft clusters never register there): pass the brokers as"
                  + " bootstrap.servers instead, in the kafkaParams overload (\"bootstrap.servers\" -> \"broker1:9092\","
                  + " \"group.id\" -> ...), with StringDeserializer for Spark 2.4's StringDecoder");
    }
  }

  @Test
  void refusesABrokerAddressGivenAsZooKeeperWithinTheConnectionTimeout() {
    Map<String, String> params =
        Map.of(
            "zookeeper.connect",
            broker.bootstrapServers(),
            "group.id",
            "g",
            "zookeeper.connection.timeout.ms",
            "1500");
    try (CompatStreams streams = CompatStreams.create()) {
      assertThatThrownBy(
              () ->
                  KafkaUtils.createStream(
                      streams.jssc(),
                      String.class,
                      String.class,
                      StringDeserializer.class,
                      StringDeserializer.class,
                      params,
                      Map.of(TOPIC, 1),
                      StorageLevel.MEMORY_ONLY()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "zookeeper.connect="
                  + broker.bootstrapServers()
                  + " is not answering as ZooKeeper"
                  + " within 1500 ms: pass the brokers as bootstrap.servers instead");
    }
  }

  @Test
  void refusesSettingsSpark24AlsoRequiredWithTheSettingNamed() {
    try (CompatStreams streams = CompatStreams.create()) {
      var jssc = streams.jssc();
      assertThatThrownBy(
              () ->
                  KafkaUtils.createStream(
                      jssc,
                      String.class,
                      String.class,
                      StringDeserializer.class,
                      StringDeserializer.class,
                      Map.of("bootstrap.servers", broker.bootstrapServers()),
                      Map.of(TOPIC, 1),
                      StorageLevel.MEMORY_ONLY()))
          .hasMessageStartingWith("group.id=null is missing from kafkaParams: ");
      assertThatThrownBy(
              () -> KafkaUtils.createStream(jssc, zooKeeper.connectString(), "g", Map.of()))
          .hasMessageStartingWith("topics={} is empty: ");
      assertThatThrownBy(
              () -> KafkaUtils.createStream(jssc, zooKeeper.connectString(), "g", Map.of(TOPIC, 0)))
          .hasMessageStartingWith(
              "topics={events=0} is not a map of topics to thread counts (events -> 0): ");
      assertThatThrownBy(
              () ->
                  KafkaUtils.createStream(
                      jssc,
                      String.class,
                      String.class,
                      StringDeserializer.class,
                      StringDeserializer.class,
                      Map.of(
                          "bootstrap.servers",
                          broker.bootstrapServers(),
                          "group.id",
                          "g",
                          "auto.offset.reset",
                          "oldest"),
                      Map.of(TOPIC, 1),
                      StorageLevel.MEMORY_ONLY()))
          .hasMessageStartingWith("auto.offset.reset=oldest is not an offset reset policy: ");
    }
  }

  private static JavaDStream<String> scala(ReceiverInputDStream<Tuple2<String, String>> stream) {
    return JavaDStream.fromDStream(stream, scala.reflect.ClassTag$.MODULE$.apply(Tuple2.class))
        .map(pair -> line((Tuple2<?, ?>) pair));
  }

  private static String line(Tuple2<?, ?> pair) {
    return pair._1() + "=" + pair._2();
  }

  /**
   * What {@code Map("words" -> 1)} gives a Scala caller, 2.12 and 2.13 alike: an immutable map.
   * Built by {@code updated}, which both versions have (2.13's {@code Map.from} is new); on 2.13 it
   * returns a raw Map, hence the unchecked assignment.
   */
  @SuppressWarnings("unchecked")
  private static <V> scala.collection.immutable.Map<String, V> scalaMap(Map<String, V> map) {
    scala.collection.immutable.Map<String, V> result =
        scala.collection.immutable.Map$.MODULE$.<String, V>empty();
    for (Map.Entry<String, V> e : map.entrySet()) {
      result = result.updated(e.getKey(), e.getValue());
    }
    return result;
  }

  /** Writes {@code /consumers/<group>/offsets/<topic>/<partition>} as Kafka's 0.8 consumer did. */
  private static void writeOldConsumerOffsets(String group, Map<Integer, Long> offsets)
      throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk =
        new ZooKeeper(
            zooKeeper.connectString(),
            10_000,
            e -> {
              if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            });
    try {
      assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
      String dir = "/consumers/" + group + "/offsets/" + TOPIC;
      StringBuilder path = new StringBuilder();
      for (String part : dir.substring(1).split("/")) {
        path.append('/').append(part);
        put(zk, path.toString(), new byte[0]);
      }
      Map<Integer, Long> sorted = new HashMap<>(offsets);
      for (Map.Entry<Integer, Long> e : sorted.entrySet()) {
        put(
            zk,
            dir + "/" + e.getKey(),
            String.valueOf(e.getValue()).getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      zk.close();
    }
  }

  private static void put(ZooKeeper zk, String path, byte[] data) throws Exception {
    try {
      zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    } catch (KeeperException.NodeExistsException e) {
      zk.setData(path, data, -1);
    }
  }
}
