package io.sparking.compat.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.ZooKeeperServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Spark 2.4 job migrated with its imports only: the Scala KafkaWordCount program starts on a
 * Kafka 3.9.1 cluster registered in ZooKeeper, where Kafka's 0.8 consumer left the group's offsets,
 * and continues exactly where the old job stopped; the Java program then continues where the Scala
 * one stopped. 0 lost, 0 read twice.
 */
@Tag("every-line")
class KafkaJobsTest {
  private static final String TOPIC = "words";
  private static final String GROUP = "legacy-word-count";
  private static final int PARTITIONS = 3;
  private static final int FIRST = 3000;
  private static final int SECOND = 1000;

  @Test
  void migratedJobContinuesFromTheZooKeeperOffsetsOfThe08ConsumerThenFromKafka() throws Exception {
    try (ZooKeeperServer zooKeeper = ZooKeeperServer.start();
        KafkaBroker broker = KafkaBroker.startInZooKeeperMode(zooKeeper.connectString())) {
      broker.createTopic(TOPIC, PARTITIONS);
      List<String> first = KafkaBroker.numbered("line", 0, FIRST);
      broker.produce(TOPIC, first);
      Map<String, KafkaBroker.Position> positions = broker.positionsOfValues(TOPIC, FIRST);

      // The old job stopped a third of the way into each partition, as the 0.8 consumer recorded it
      // in ZooKeeper.
      Map<Integer, Long> ends = new HashMap<>();
      positions.values().forEach(p -> ends.merge(p.partition(), p.offset() + 1, Math::max));
      Map<Integer, Long> stoppedAt = new HashMap<>();
      ends.forEach((partition, end) -> stoppedAt.put(partition, end / 3));
      writeOldConsumerOffsets(zooKeeper.connectString(), stoppedAt);
      List<String> unread = new ArrayList<>();
      positions.forEach(
          (value, p) -> {
            if (p.offset() >= stoppedAt.get(p.partition())) {
              unread.add(value);
            }
          });
      assertThat(unread).hasSizeBetween(FIRST / 2, FIRST);

      List<String> args = List.of(zooKeeper.connectString(), GROUP, TOPIC, "2");
      try (ExampleJob scala =
          ExampleJob.start("io.sparking.compat.examples.ZooKeeperWordCount", args, true)) {
        assertThat(scala.awaitLines(unread.size()))
            .as(scala.logTail())
            .containsExactlyInAnyOrderElementsOf(unread);
        assertThat(scala.log())
            .contains(
                "Found the Kafka brokers "
                    + broker.bootstrapServers()
                    + " registered in ZooKeeper "
                    + zooKeeper.connectString())
            .contains("Imported the offsets of consumer group " + GROUP + " from ZooKeeper");
        // Stop once everything read is committed, so the next job's start is exact.
        await("offsets committed")
            .atMost(ExampleJob.WAIT)
            .until(() -> committed(broker).equals(ends));
        assertThat(scala.lines()).containsExactlyInAnyOrderElementsOf(unread);
      }

      List<String> second = KafkaBroker.numbered("line", FIRST, SECOND);
      broker.produce(TOPIC, second);
      try (ExampleJob java = ExampleJob.start(JavaZooKeeperWordCount.class, args, true)) {
        assertThat(java.awaitLines(SECOND))
            .as(java.logTail())
            .containsExactlyInAnyOrderElementsOf(second);
        assertThat(java.log())
            .contains("Consumer group " + GROUP + " has offsets in Kafka")
            .doesNotContain("Imported the offsets");
      }
    }
  }

  private static Map<Integer, Long> committed(KafkaBroker broker) {
    Map<Integer, Long> offsets = new HashMap<>();
    broker
        .committedOffsets(GROUP)
        .forEach(
            (TopicPartition p, Long offset) -> {
              if (p.topic().equals(TOPIC)) {
                offsets.put(p.partition(), offset);
              }
            });
    return offsets;
  }

  /**
   * Writes {@code /consumers/<group>/offsets/<topic>/<partition>} as Kafka's 0.8 consumer did: the
   * next offset.
   */
  static void writeOldConsumerOffsets(String connect, Map<Integer, Long> offsets) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk =
        new ZooKeeper(
            connect,
            10_000,
            e -> {
              if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            });
    try {
      assertThat(connected.await(30, TimeUnit.SECONDS))
          .as("connected to ZooKeeper " + connect)
          .isTrue();
      String dir = "/consumers/" + GROUP + "/offsets/" + TOPIC;
      String path = "";
      for (String part : dir.substring(1).split("/")) {
        path += "/" + part;
        create(zk, path, new byte[0]);
      }
      for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
        create(
            zk,
            dir + "/" + e.getKey(),
            String.valueOf(e.getValue()).getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      zk.close();
    }
  }

  private static void create(ZooKeeper zk, String path, byte[] data) throws Exception {
    try {
      zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    } catch (KeeperException.NodeExistsException e) {
      zk.setData(path, data, -1);
    }
  }
}
