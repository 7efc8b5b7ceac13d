package io.sparking.jobs;

import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.SparkingKafka;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;

/**
 * Counts records of one or more topics with the direct stream, committing offsets after each
 * batch's output.
 */
@Command(
    name = "KafkaDirectTopic",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Counts records of Kafka topics with the direct stream (no receivers); offsets are committed"
            + " after each batch's output.")
public final class KafkaDirectTopic extends KafkaJob {

  /** The direct stream: it reads in the batches' tasks, with no receivers. */
  @Override
  protected boolean direct() {
    return true;
  }

  @Override
  protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
    SparkingKafka.directStream(jssc, settings())
        .foreachBatch(
            (records, time) ->
                reporter.report(records.map(KafkaRecord::valueAsString), time, false));
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    System.exit(StreamingJob.run(new KafkaDirectTopic(), args));
  }
}
