package io.sparking.jobs;

import io.sparking.kafka.KafkaPreflight;
import io.sparking.kafka.KafkaSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * What the Kafka jobs share: {@code <spark-master> <topics> <bootstrap-servers>} and the consumer's
 * options, checked by the connector, the start-up check of brokers and topics, and the write-ahead
 * log of the receiver jobs.
 */
abstract class KafkaJob extends StreamingJob {
  @Parameters(
      index = "1",
      paramLabel = "<topics>",
      description = "A topic, or several separated by commas")
  String topics;

  @Parameters(
      index = "2",
      paramLabel = "<bootstrap-servers>",
      description = "Kafka brokers, host:port[,host:port...] (not a ZooKeeper address)")
  String bootstrapServers;

  @Mixin KafkaSourceOptions kafka = new KafkaSourceOptions();

  @Mixin SourceCheckOptions sourceCheck = new SourceCheckOptions();

  private KafkaSettings settings;

  /** The topics as given; {@link #validate()} has checked them. */
  protected List<String> topicList() {
    return settings.topics();
  }

  /** The validated settings of this run. */
  protected KafkaSettings settings() {
    return settings;
  }

  /** Whether the job reads with the direct stream: no receivers, and so no write-ahead log. */
  protected boolean direct() {
    return false;
  }

  /** One receiver, or none for a direct job; jobs with more say how many. */
  @Override
  protected int receivers() {
    return direct() ? 0 : 1;
  }

  @Override
  protected void validate() {
    sourceCheck.timeout();
    settings = kafka.settings(name(), topics, bootstrapServers);
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
    sourceCheck.timeout().ifPresent(timeout -> KafkaPreflight.check(settings, timeout));
  }

  @Override
  protected void configure(SparkConf conf) {
    conf.setIfMissing("spark.streaming.receiver.writeAheadLog.enable", String.valueOf(!direct()));
    conf.setIfMissing("spark.streaming.backpressure.enabled", "true");
    if (direct()) {
      // Backpressure sizes a direct stream's batches from the second one on; this bounds the first.
      conf.setIfMissing("spark.streaming.kafka.maxRatePerPartition", "100000");
    }
  }
}
