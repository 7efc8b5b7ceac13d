package io.sparking.compat.kafka;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a consumer group's offsets over from Kafka's 0.8 consumer, which kept them in ZooKeeper,
 * to Kafka's group coordinator, where Sparking's receiver reads and commits them: once, when Kafka
 * holds no offset of the group for the stream's topics. Each offset is copied as it is, since both
 * mean the next record to read.
 */
final class ZooKeeperOffsetImport {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperOffsetImport.class);
  private static final long TIMEOUT_SECONDS = 30;

  private ZooKeeperOffsetImport() {}

  /**
   * Imports the offsets of {@code group} for {@code topics} from {@code zooKeeper} into the cluster
   * at {@code bootstrapServers}, unless the group already has offsets there; returns what it
   * imported.
   *
   * @param clientProperties the consumer's settings; the admin client takes the security ones
   */
  static Map<TopicPartition, Long> importIfAbsent(
      ZooKeeperCluster zooKeeper,
      String bootstrapServers,
      String group,
      List<String> topics,
      Map<String, Object> clientProperties) {
    try (Admin admin = Admin.create(adminConfig(bootstrapServers, clientProperties))) {
      Map<TopicPartition, OffsetAndMetadata> inKafka =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<TopicPartition, Long> held = new LinkedHashMap<>();
      inKafka.forEach(
          (partition, offset) -> {
            if (offset != null && topics.contains(partition.topic())) {
              held.put(partition, offset.offset());
            }
          });
      if (!held.isEmpty()) {
        LOG.info(
            "Consumer group {} has offsets in Kafka for {} ({}); nothing imported from ZooKeeper {}",
            group,
            topics,
            text(held),
            zooKeeper.connectString());
        return Map.of();
      }
      Map<String, TopicDescription> described =
          admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<TopicPartition, Long> found = new LinkedHashMap<>();
      Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
      for (String topic : topics) {
        Set<Integer> partitions =
            described.get(topic).partitions().stream()
                .map(p -> p.partition())
                .collect(Collectors.toSet());
        zooKeeper
            .offsets(group, topic)
            .forEach(
                (partition, offset) -> {
                  if (!partitions.contains(partition.partition())) {
                    LOG.warn(
                        "ZooKeeper {} holds an offset of group {} for {}, a partition topic {} no longer has; left out",
                        zooKeeper.connectString(),
                        group,
                        partition,
                        topic);
                    return;
                  }
                  found.put(partition, offset);
                  toCommit.put(
                      partition,
                      new OffsetAndMetadata(offset, "imported from ZooKeeper by sparking-compat"));
                });
      }
      if (found.isEmpty()) {
        LOG.info(
            "Consumer group {} has no offsets for {}, neither in Kafka nor in ZooKeeper {}: it starts where"
                + " auto.offset.reset says",
            group,
            topics,
            zooKeeper.connectString());
        return Map.of();
      }
      admin.alterConsumerGroupOffsets(group, toCommit).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      LOG.info(
          "Imported the offsets of consumer group {} from ZooKeeper {} into Kafka: {}",
          group,
          zooKeeper.connectString(),
          text(found));
      return found;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while importing the offsets of group " + group, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "Could not import the offsets of consumer group "
              + group
              + " from ZooKeeper "
              + zooKeeper.connectString()
              + " into Kafka at "
              + bootstrapServers
              + ": "
              + cause
              + ". Check that the"
              + " brokers are reachable, that the topics "
              + topics
              + " exist, and that no other consumer of the group"
              + " runs during the first start",
          cause);
    }
  }

  private static Map<String, Object> adminConfig(
      String bootstrapServers, Map<String, Object> clientProperties) {
    Map<String, Object> config = new HashMap<>();
    Set<String> known = AdminClientConfig.configNames();
    clientProperties.forEach(
        (key, value) -> {
          if (known.contains(key)) {
            config.put(key, value);
          }
        });
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    return config;
  }

  private static String text(Map<TopicPartition, Long> offsets) {
    return offsets.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
