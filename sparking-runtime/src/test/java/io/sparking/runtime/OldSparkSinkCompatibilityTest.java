package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.PullClient;
import io.sparking.flume.protocol.Settlement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Spark 2.4.8's own SparkSink, running in a Flume 1.11 agent, drained by a plain client of the
 * Sparking sink's generated protocol: proves the protocol we generate matches the old one on the
 * wire.
 */
class OldSparkSinkCompatibilityTest {

  private static final String AVRO_TO_OLD_SPARK_SINK =
      String.join(
          "\n",
          "a1.sources = in",
          "a1.channels = c",
          "a1.sinks = old",
          "a1.sources.in.type = avro",
          "a1.sources.in.bind = 127.0.0.1",
          "a1.sources.in.port = ${SOURCE_PORT}",
          "a1.sources.in.channels = c",
          "a1.channels.c.type = memory",
          "a1.channels.c.capacity = 100000",
          "a1.channels.c.transactionCapacity = 1000",
          "a1.sinks.old.type = org.apache.spark.streaming.flume.sink.SparkSink",
          "a1.sinks.old.channel = c",
          "a1.sinks.old.hostname = 127.0.0.1",
          "a1.sinks.old.port = ${SINK_PORT}",
          "a1.sinks.old.threads = 4",
          "a1.sinks.old.timeout = 30",
          "");

  @Test
  void ourClientDrainsTheOldSparkSinkExactlyOnce() throws Exception {
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .runtime(FlumeAgent.Runtime.SPARKSINK_248)
            .configuration(AVRO_TO_OLD_SPARK_SINK)
            .listenPort("SOURCE_PORT")
            .listenPort("SINK_PORT")
            .start()) {
      List<String> sent = FlumeAgentTest.send(agent.port("SOURCE_PORT"), "old", 2_000);
      try (PullClient puller = PullClient.connect("127.0.0.1", agent.port("SINK_PORT"))) {
        // The old sink blocks without bound on an empty channel, so pull exactly what was sent and
        // no more.
        EventBatch first = puller.getEventBatch(500);
        assertThat(first.getErrorMsg()).isEmpty();
        assertThat(first.getEvents()).isNotEmpty();
        assertThat(first.getEvents().get(0).getHeaders()).isNotNull();
        // The old sink has no settle: it is not asked, and cannot tell.
        assertThat(puller.speaksSettle()).isFalse();
        assertThat(puller.settle(first.getSequenceNumber().toString()))
            .isEqualTo(Settlement.UNKNOWN);
        puller.nack(first.getSequenceNumber());

        // The old sink rolls a nacked batch back on its own processor thread, racing the next
        // take, so the redelivered batch may come after later ones: each event exactly once, in
        // any order.
        assertThat(puller.drain(sent.size(), 500, Duration.ofSeconds(60)))
            .containsExactlyInAnyOrderElementsOf(sent);
      }
    }
  }
}
