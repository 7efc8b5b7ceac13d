package io.sparking.jobs;

import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.SparkingKafka;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Counts records of several topics, one reliable receiver per topic, unioned into one stream. */
@Command(
    name = "KafkaMultiTopics",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Counts records of several Kafka topics: one reliable receiver per topic, unioned.")
public final class KafkaMultiTopics extends KafkaJob {
  @Option(
      names = "--repartition",
      paramLabel = "<n>",
      defaultValue = "0",
      description =
          "Spread each batch over n partitions before processing; 0 keeps the receivers' blocks")
  int repartition;

  @Override
  protected void validate() {
    super.validate();
    if (repartition < 0) {
      throw new IllegalArgumentException("--repartition=" + repartition + ": pass 0 (off) or more");
    }
  }

  /** One per topic. */
  @Override
  protected int receivers() {
    return settings().topics().size();
  }

  @Override
  protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
    JavaDStream<KafkaRecord> all = SparkingKafka.receiverStreamPerTopic(jssc, settings());
    if (repartition > 0) {
      all = all.repartition(repartition);
    }
    reporter.countEachBatch(all.map(KafkaRecord::valueAsString));
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new KafkaMultiTopics(), args);
  }
}
