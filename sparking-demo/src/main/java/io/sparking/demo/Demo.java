package io.sparking.demo;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The demo: real sources on loopback (a Kafka broker, or Flume agents), sample text at a steady
 * rate, and two jobs reading it in local mode, each in its own JVM, their batch lines interleaved.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs real sources on 127.0.0.1 with sample text and two jobs on them. Ctrl-C stops everything:"
          + " the sample text first, then the jobs once they processed all of it, then the sources; a summary then"
          + " gives what each job processed against what was produced, and how long the start took.",
      "  kafka (default): a Kafka broker, KafkaSingleTopic and KafkaDirectTopic.",
      "  flume: two Flume agents following files, FlumeSinglePushBased and FlumeSinglePullBased."
    })
final class Demo implements Callable<Integer> {
  /** Which sources the demo runs. */
  enum Source {
    kafka,
    flume
  }

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "<source>",
      defaultValue = "kafka",
      description = "kafka or flume (default: ${DEFAULT-VALUE})")
  Source source;

  @Option(
      names = "--duration",
      paramLabel = "<seconds>",
      defaultValue = "0",
      description = "Stop after this many seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE})")
  long durationSeconds;

  @Option(
      names = "--rate",
      paramLabel = "<lines/s>",
      defaultValue = "500",
      description =
          "Lines of sample text produced per second (default: ${DEFAULT-VALUE}). The demo's jobs are"
              + " set up to start quickly, not for throughput: ./sparking bench measures that")
  int rate;

  @Option(
      names = "--batch-interval",
      paramLabel = "<duration>",
      defaultValue = "2s",
      description = "The jobs' batch interval (default: ${DEFAULT-VALUE})")
  String batchInterval;

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || rate > 1_000_000) {
      throw new IllegalArgumentException("--rate=" + rate + ": pass 1..1000000 lines per second");
    }
    DemoSession.Scenario scenario =
        source == Source.flume ? new FlumeDemo(rate) : new KafkaDemo(rate);
    return new DemoSession(durationSeconds, batchInterval).run(scenario);
  }
}
