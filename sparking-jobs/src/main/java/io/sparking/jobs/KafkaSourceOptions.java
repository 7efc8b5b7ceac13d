package io.sparking.jobs;

import io.sparking.kafka.KafkaSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How a job consumes from Kafka: the consumer group, threads and any consumer setting. The
 * connector checks them, with the topics and brokers each job takes as arguments, when it builds
 * the settings.
 */
final class KafkaSourceOptions {
  @Option(
      names = "--group",
      paramLabel = "<id>",
      description =
          "Consumer group; a restarted job resumes from its committed offsets (default: sparking-<job>)")
  String group;

  @Option(
      names = "--threads",
      paramLabel = "<n>",
      defaultValue = "1",
      description = "Consumer threads per receiver (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--consumer-property",
      paramLabel = "<key=value>",
      description = "Any Kafka consumer setting, e.g. security.protocol=SASL_SSL; repeatable")
  Map<String, String> consumerProperties = Map.of();

  /**
   * The connector's settings for {@code job} (whose default group is {@code sparking-<job>})
   * reading {@code topics}, a list separated by commas (empty names stay in, for the connector to
   * refuse), from {@code bootstrapServers}.
   */
  KafkaSettings settings(String job, String topics, String bootstrapServers) {
    List<String> topicList = new ArrayList<>();
    for (String t : topics.split(",", -1)) {
      topicList.add(t.trim());
    }
    return KafkaSettings.builder(bootstrapServers, group == null ? "sparking-" + job : group)
        .topics(topicList)
        .threadsPerReceiver(threads)
        .consumerProperties(consumerProperties)
        .build();
  }
}
