package io.sparking.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The jobs by their classic names: the main class of the application jar, and the commands of
 * {@code ./sparking}.
 */
@Command(
    name = "sparking",
    mixinStandardHelpOptions = true,
    description = "Reliable ingestion of Kafka and Flume data into Spark Streaming. Run a job:",
    subcommands = {
      KafkaSingleTopic.class,
      KafkaMultiTopics.class,
      KafkaDirectTopic.class,
      KafkaExactlyOnce.class,
      KafkaFlumeJoin.class,
      FlumeSinglePushBased.class,
      FlumeMultiPushBased.class,
      FlumeSinglePullBased.class,
      FlumeMultiPullBased.class,
      FlumeStructuredStreaming.class
    },
    footer = {
      "",
      "Examples:",
      "  ./sparking demo",
      "  ./sparking demo flume",
      "  ./sparking KafkaSingleTopic local[2] words localhost:9092",
      "  ./sparking KafkaMultiTopics local[4] clicks,views localhost:9092",
      "  ./sparking KafkaDirectTopic local[2] words localhost:9092 --duration 60",
      "  ./sparking KafkaExactlyOnce local[2] words localhost:9092 --jdbc-url jdbc:h2:file:./words-db",
      "  ./sparking KafkaFlumeJoin local[3] orders localhost:9092 127.0.0.1 9999",
      "  ./sparking FlumeSinglePushBased local[2] 127.0.0.1 41414",
      "  ./sparking FlumeMultiPushBased local[4] 127.0.0.1:41411,127.0.0.1:41412",
      "  ./sparking FlumeSinglePullBased local[2] 127.0.0.1 9999",
      "  ./sparking FlumeMultiPullBased local[2] agent1:9999,agent2:9999",
      "  ./sparking FlumeStructuredStreaming local[2] agent1:9999,agent2:9999 --output-dir out",
      "  ./sparking bench --records 200000 --runs 1   (throughput of every path; see docs/performance.md)",
      "  ./sparking submit KafkaMultiTopics --master spark://host:7077 -- clicks,views broker:9092",
      "                                               (spark-submit to a cluster; see docs/cluster.md)",
      "Run ./sparking <job> --help for a job's options."
    })
public final class Sparking implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Name a job or demo.");
  }

  /** Runs the launcher. */
  public static void main(String[] args) {
    StreamingJob.main(new Sparking(), args);
  }
}
