package io.sparking.compat.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FreePorts;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Spark 2.4 Flume jobs, Scala and Java, compiled against the compatibility API with only their
 * imports changed, each run as a job of its own against a real Flume 1.11 agent: every event comes
 * out exactly once, headers included.
 */
@Tag("default-line")
class FlumeJobsTest {
  private static final int EVENTS = 2000;

  @Test
  void scalaPushJobReceivesEveryEventOfAnAvroSinkOnce() throws Exception {
    int port = FreePorts.next();
    try (ExampleJob job =
            ExampleJob.start(
                "io.sparking.compat.examples.PushedEventCount",
                List.of("127.0.0.1", String.valueOf(port)),
                false);
        FlumeAgent agent = FlumeFeed.avroSinkTo(port)) {
      FlumeFeed.feed(agent, "scala-push", EVENTS);
      assertEveryEventOnce(job, "scala-push");
    }
  }

  @Test
  void javaPushJobReceivesEveryEventOfAnAvroSinkOnce() throws Exception {
    int port = FreePorts.next();
    try (ExampleJob job =
            ExampleJob.start(
                JavaPushedEventCount.class, List.of("127.0.0.1", String.valueOf(port)), false);
        FlumeAgent agent = FlumeFeed.avroSinkTo(port)) {
      FlumeFeed.feed(agent, "java-push", EVENTS);
      assertEveryEventOnce(job, "java-push");
    }
  }

  @Test
  void scalaPollingJobPullsEveryEventOnceFromSpark248sSparkSink() throws Exception {
    try (FlumeAgent agent = FlumeFeed.pullSink(true);
        ExampleJob job =
            ExampleJob.start(
                "io.sparking.compat.examples.PolledEventCount",
                List.of("127.0.0.1", String.valueOf(agent.port(FlumeFeed.SINK_PORT))),
                false)) {
      FlumeFeed.feed(agent, "scala-pull", EVENTS);
      assertEveryEventOnce(job, "scala-pull");
    }
  }

  @Test
  void javaPollingJobPullsEveryEventOnceFromSparkingsSink() throws Exception {
    try (FlumeAgent agent = FlumeFeed.pullSink(false);
        ExampleJob job =
            ExampleJob.start(
                JavaPolledEventCount.class,
                List.of("127.0.0.1", String.valueOf(agent.port(FlumeFeed.SINK_PORT))),
                false)) {
      FlumeFeed.feed(agent, "java-pull", EVENTS);
      assertEveryEventOnce(job, "java-pull");
    }
  }

  private static void assertEveryEventOnce(ExampleJob job, String sender) {
    List<String> expected =
        FlumeFeed.bodies(sender, EVENTS).stream().map(body -> body + "|" + sender).toList();
    List<String> lines = job.awaitLines(EVENTS);
    assertThat(lines).as(job.logTail()).containsExactlyInAnyOrderElementsOf(expected);
    // The job's own count per batch (the example's print) adds up to the same number.
    assertThat(job.printedEventCount()).as(job.logTail()).isEqualTo(EVENTS);
  }
}
