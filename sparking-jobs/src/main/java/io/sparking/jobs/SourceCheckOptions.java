package io.sparking.jobs;

import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The start-up check of a job's sources, the same option for every job that reads Kafka or Flume.
 */
final class SourceCheckOptions {
  @Option(
      names = "--connect-timeout",
      paramLabel = "<seconds>",
      defaultValue = "15",
      description =
          "How long to wait at start-up for the sources to answer (Kafka brokers and topics, Flume agents'"
              + " sinks): the job fails at once, naming what is missing, rather than retrying for ever; 0 skips the"
              + " check and the streams wait for their sources themselves (default: ${DEFAULT-VALUE})")
  long seconds;

  /** How long the check waits; empty when the user turned it off. */
  Optional<Duration> timeout() {
    if (seconds < 0) {
      throw new IllegalArgumentException(
          "--connect-timeout=" + seconds + " is negative: pass 0 (no check) or more" + " seconds");
    }
    return seconds == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
  }
}
