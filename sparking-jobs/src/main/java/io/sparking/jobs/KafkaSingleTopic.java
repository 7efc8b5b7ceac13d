package io.sparking.jobs;

import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.SparkingKafka;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;

/**
 * Word count over one topic through one reliable receiver: offsets are committed after each block
 * is stored and written ahead, so a restarted job loses nothing.
 */
@Command(
    name = "KafkaSingleTopic",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Counts records and words of one Kafka topic with a reliable receiver (write-ahead log on).")
public final class KafkaSingleTopic extends KafkaJob {

  @Override
  protected void validate() {
    super.validate();
    if (topicList().size() != 1) {
      throw new IllegalArgumentException(
          "topics="
              + String.join(",", topicList())
              + " is more than one topic,"
              + " and KafkaSingleTopic reads one: use KafkaMultiTopics for several");
    }
  }

  @Override
  protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
    reporter.countWordsOfEachBatch(
        SparkingKafka.receiverStream(jssc, settings()).map(KafkaRecord::valueAsString));
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new KafkaSingleTopic(), args);
  }
}
