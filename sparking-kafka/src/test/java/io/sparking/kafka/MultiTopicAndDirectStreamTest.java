package io.sparking.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.LocalStreaming;
import io.sparking.testkit.KafkaBrokerExtension;
import io.sparking.testkit.OutputCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Tag("every-line")
class MultiTopicAndDirectStreamTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path checkpoint;

  @Test
  void threeTopicsOfFourPartitionsThroughOneReceiverPerTopic() {
    List<String> topics = List.of("multi-a", "multi-b", "multi-c");
    List<String> sent = new ArrayList<>();
    for (String topic : topics) {
      KAFKA.broker().createTopic(topic, 4);
      List<String> values = KafkaBroker.numbered(topic, 0, 5_000);
      KAFKA.broker().produce(topic, values);
      sent.addAll(values);
    }
    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint).master("local[5]").writeAheadLog(true).start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "multi-group")
              .topics(topics)
              .build();
      SparkingKafka.receiverStreamPerTopic(spark.context(), settings)
          .foreachRDD(
              rdd -> out.addAll(rdd.map(r -> r.topic() + "/" + r.valueAsString()).collect()));
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= sent.size());
    }
    Map<String, Long> perTopic =
        out.values().stream()
            .collect(
                Collectors.groupingBy(v -> v.substring(0, v.indexOf('/')), Collectors.counting()));
    assertThat(perTopic)
        .containsOnly(
            Map.entry("multi-a", 5_000L),
            Map.entry("multi-b", 5_000L),
            Map.entry("multi-c", 5_000L));
    assertThat(out.values().stream().map(v -> v.substring(v.indexOf('/') + 1)).toList())
        .containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void partitionSetsAssignedToSeparateReceiversAreUnioned() {
    KAFKA.broker().createTopic("sets", 4);
    List<String> sent = KafkaBroker.numbered("sets", 0, 8_000);
    KAFKA.broker().produce("sets", sent);
    KafkaSettings base =
        KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "sets-group")
            .topics("sets")
            .build();
    List<KafkaSettings> receivers =
        List.of(
            base.withPartitions(
                List.of(new TopicPartition("sets", 0), new TopicPartition("sets", 1))),
            base.withPartitions(
                List.of(new TopicPartition("sets", 2), new TopicPartition("sets", 3))));
    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark = LocalStreaming.builder(checkpoint).start()) {
      SparkingKafka.receiverStreams(spark.context(), receivers, 4)
          .foreachRDD(rdd -> out.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= sent.size());
    }
    assertThat(out.values()).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void directStreamReceivesEveryRecordAndCommitsAfterOutput() throws Exception {
    KAFKA.broker().createTopic("direct", 4);
    List<String> sent = KafkaBroker.numbered("direct", 0, 20_000);
    KAFKA.broker().produce("direct", sent);
    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark = LocalStreaming.builder(checkpoint).start();
        Admin admin = KAFKA.broker().admin()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "direct-group")
              .topics("direct")
              .build();
      SparkingKafka.directStream(spark.context(), settings)
          .foreachBatch(
              (records, time) -> out.addAll(records.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= sent.size());

      // Commits ride on the next batch: wait until the group's offsets reach the end of every
      // partition.
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < 4; p++) {
        latest.put(new TopicPartition("direct", p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> ends =
          admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin
                        .listConsumerGroupOffsets("direct-group")
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                assertThat(
                        committed.entrySet().stream()
                            .collect(
                                Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset())))
                    .isEqualTo(ends);
              });
      // Throws what the streams reported, such as a stream graph that could not be checkpointed.
      assertThat(spark.context().awaitTerminationOrTimeout(100)).isFalse();
    }
    assertThat(out.values()).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void directStreamDoesNotCommitABatchWhoseOutputFailed() throws Exception {
    KAFKA.broker().createTopic("direct-fail", 1);
    KAFKA.broker().produce("direct-fail", KafkaBroker.numbered("direct-fail", 0, 100));
    OutputCollector<String> attempts = OutputCollector.create();
    try (LocalStreaming spark = LocalStreaming.builder(checkpoint).start();
        Admin admin = KAFKA.broker().admin()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "direct-fail-group")
              .topics("direct-fail")
              .build();
      SparkingKafka.directStream(spark.context(), settings)
          .foreachBatch(
              (records, time) -> {
                long n = records.count();
                attempts.addAll(List.of(String.valueOf(n)));
                if (n > 0) {
                  throw new IllegalStateException("output refused " + n + " records");
                }
              });
      spark.context().start();
      // Several batches (empty ones after the first) give the connector the chance to send any
      // queued commit.
      await().atMost(WAIT).until(() -> attempts.size() >= 4);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets("direct-fail-group")
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      assertThat(committed).isEmpty();
    }
  }

  @Test
  void directStreamStartsSubscribedPartitionsAtTheGivenOffsetsAndHandsOutContiguousRanges() {
    KAFKA.broker().createTopic("direct-from", 2);
    // produce() spreads round-robin: value i lands in partition i % 2 at offset i / 2.
    List<String> sent = KafkaBroker.numbered("direct-from", 0, 2_000);
    KAFKA.broker().produce("direct-from", sent);
    TopicPartition p0 = new TopicPartition("direct-from", 0);
    TopicPartition p1 = new TopicPartition("direct-from", 1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      if (i % 2 == 1 || i / 2 >= 300) {
        expected.add(sent.get(i));
      }
    }
    OutputCollector<String> out = OutputCollector.create();
    OutputCollector<String> ranges = OutputCollector.create();
    try (LocalStreaming spark = LocalStreaming.builder(checkpoint).start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "direct-from-group")
              .topics("direct-from")
              .build();
      // Partition 1 is left out: it starts where a group without commits starts, the earliest
      // offset.
      SparkingKafka.directStream(spark.context(), settings, Map.of(p0, 300L))
          .foreachBatchWithOffsets(
              (records, batchRanges, time) -> {
                out.addAll(records.map(KafkaRecord::valueAsString).collect());
                ranges.addAll(
                    batchRanges.stream()
                        .filter(r -> r.count() > 0)
                        .map(r -> r.partition() + ":" + r.fromOffset() + ":" + r.untilOffset())
                        .toList());
              });
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= expected.size());
    }
    assertThat(out.values()).containsExactlyInAnyOrderElementsOf(expected);
    assertContiguous(ranges.values(), 0, 300, 1_000);
    assertContiguous(ranges.values(), 1, 0, 1_000);
  }

  @Test
  void directStreamStartsAssignedPartitionsAtTheGivenOffsetsAndRefusesOthers() {
    KAFKA.broker().createTopic("direct-assign", 2);
    List<String> sent = KafkaBroker.numbered("direct-assign", 0, 1_000);
    KAFKA.broker().produce("direct-assign", sent);
    TopicPartition p0 = new TopicPartition("direct-assign", 0);
    TopicPartition p1 = new TopicPartition("direct-assign", 1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      if (i / 2 >= (i % 2 == 0 ? 500 : 123)) {
        expected.add(sent.get(i));
      }
    }
    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark = LocalStreaming.builder(checkpoint).start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "direct-assign-group")
              .partitions(List.of(p0, p1))
              .build();
      assertThatThrownBy(
              () ->
                  SparkingKafka.directStream(
                      spark.context(),
                      settings,
                      Map.of(new TopicPartition("direct-assign", 2), 0L)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("direct-assign-2")
          .hasMessageContaining("assigned partitions");
      assertThatThrownBy(
              () -> SparkingKafka.directStream(spark.context(), settings, Map.of(p0, -1L)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("direct-assign-0=-1");
      // Partition 0 starts at its end: nothing of it is read.
      SparkingKafka.directStream(spark.context(), settings, Map.of(p0, 500L, p1, 123L))
          .foreachBatchWithOffsets(
              (records, ranges, time) ->
                  out.addAll(records.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= expected.size());
    }
    assertThat(out.values()).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * The ranges {@code partition:from:until} of {@code partition} cover [from, until) once, without
   * gaps.
   */
  private static void assertContiguous(List<String> ranges, int partition, long from, long until) {
    List<long[]> mine =
        ranges.stream()
            .map(r -> r.split(":"))
            .filter(r -> Integer.parseInt(r[0]) == partition)
            .map(r -> new long[] {Long.parseLong(r[1]), Long.parseLong(r[2])})
            .sorted(java.util.Comparator.comparingLong(r -> r[0]))
            .toList();
    long next = from;
    for (long[] range : mine) {
      assertThat(range[0]).as("ranges of partition %d: %s", partition, ranges).isEqualTo(next);
      next = range[1];
    }
    assertThat(next).as("end of partition %d's ranges: %s", partition, ranges).isEqualTo(until);
  }
}
