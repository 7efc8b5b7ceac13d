package io.sparking.jobs;

import io.sparking.kafka.BootstrapServers;
import io.sparking.kafka.KafkaPreflight;
import io.sparking.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The arguments the Kafka jobs share, in the classic order:
 * {@code <spark-master> <topic|topic,topic,...> <bootstrap-servers>}.
 */
abstract class KafkaJob extends StreamingJob {
  @Parameters(index = "1", paramLabel = "<topics>", description = "A topic, or several separated by commas")
  String topics;

  @Parameters(index = "2", paramLabel = "<bootstrap-servers>",
      description = "Kafka brokers, host:port[,host:port...] (not a ZooKeeper address)")
  String bootstrapServers;

  @Option(names = "--group", paramLabel = "<id>",
      description = "Consumer group; a restarted job resumes from its committed offsets (default: sparking-<job>)")
  String group;

  @Option(names = "--threads", paramLabel = "<n>", defaultValue = "1",
      description = "Consumer threads per receiver (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--consumer-property", paramLabel = "<key=value>",
      description = "Any Kafka consumer setting, e.g. security.protocol=SASL_SSL; repeatable")
  Map<String, String> consumerProperties = Map.of();

  @Option(names = "--connect-timeout", paramLabel = "<seconds>", defaultValue = "15",
      description = "How long to wait for the brokers at start-up, when the job checks that they answer and that"
          + " the topics exist; 0 skips the check, and the streams wait for brokers and topics themselves (default:"
          + " ${DEFAULT-VALUE})")
  long connectTimeoutSeconds;

  private KafkaSettings settings;

  /** Topics as a list; {@link #validate()} has checked them. */
  protected List<String> topicList() {
    List<String> list = new ArrayList<>();
    for (String t : topics.split(",")) {
      list.add(t.trim());
    }
    return list;
  }

  /** The validated settings of this run. */
  protected KafkaSettings settings() {
    return settings;
  }

  /** Whether the job's receivers write ahead (receiver jobs yes, the direct job has no receivers). */
  protected boolean writeAheadLog() {
    return true;
  }

  @Override
  protected void validate() {
    if (connectTimeoutSeconds < 0) {
      throw new IllegalArgumentException("--connect-timeout=" + connectTimeoutSeconds + ": pass 0 (no check) or"
          + " more seconds");
    }
    BootstrapServers.validate(bootstrapServers);
    for (String t : topics.split(",", -1)) {
      if (t.isBlank()) {
        throw new IllegalArgumentException("topics '" + topics + "' contain an empty name: pass names separated"
            + " by commas, such as words,clicks");
      }
    }
    settings = KafkaSettings.builder(bootstrapServers, group == null ? "sparking-" + name() : group)
        .topics(topicList())
        .consumerThreads(threads)
        .consumerProperties(consumerProperties)
        .build();
  }

  /** The topics, brokers and consumer group: what the streams read, and where they resume. */
  @Override
  protected Map<String, String> sources() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("topics", String.join(",", topicList()));
    sources.put("brokers", settings.bootstrapServers());
    sources.put("group", settings.groupId());
    return sources;
  }

  @Override
  protected void preflight() {
    if (connectTimeoutSeconds > 0) {
      KafkaPreflight.check(settings, Duration.ofSeconds(connectTimeoutSeconds));
    }
  }

  @Override
  protected void configure(SparkConf conf) {
    conf.setIfMissing("spark.streaming.receiver.writeAheadLog.enable", String.valueOf(writeAheadLog()));
    conf.setIfMissing("spark.streaming.backpressure.enabled", "true");
  }
}
