package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.flume.protocol.PullClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.flume.Event;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;

class FlumeAgentTest {

  /**
   * Flume's avro source into a channel drained by the Sparking sink; both ports free and awaited.
   */
  static final String AVRO_TO_SPARKING_SINK =
      String.join(
          "\n",
          "a1.sources = in",
          "a1.channels = c",
          "a1.sinks = out",
          "a1.sources.in.type = avro",
          "a1.sources.in.bind = 127.0.0.1",
          "a1.sources.in.port = ${SOURCE_PORT}",
          "a1.sources.in.channels = c",
          "a1.channels.c.type = ${CHANNEL_TYPE:-memory}",
          "a1.channels.c.capacity = 100000",
          "a1.channels.c.transactionCapacity = 1000",
          "a1.channels.c.keep-alive = 1",
          "a1.channels.c.checkpointDir = ${dir}/checkpoint",
          "a1.channels.c.dataDirs = ${dir}/data",
          "a1.sinks.out.type = io.sparking.flume.sink.SparkingSink",
          "a1.sinks.out.channel = c",
          "a1.sinks.out.port = ${SINK_PORT}",
          "a1.sinks.out.batchWait = 200",
          "");

  static List<String> send(int port, String prefix, int count) throws Exception {
    List<String> bodies = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    RpcClient client = RpcClientFactory.getDefaultInstance("127.0.0.1", port, 100);
    try {
      List<Event> events = new ArrayList<>();
      for (String body : bodies) {
        events.add(EventBuilder.withBody(body, StandardCharsets.UTF_8));
        if (events.size() == 100) {
          client.appendBatch(events);
          events.clear();
        }
      }
      if (!events.isEmpty()) {
        client.appendBatch(events);
      }
    } finally {
      client.close();
    }
    return bodies;
  }

  @Test
  void runsARealAgentWhoseSinkDeliversWhatItsSourceGotAndStopsByHandle() throws Exception {
    long pid;
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .configuration(AVRO_TO_SPARKING_SINK)
            .listenPort("SOURCE_PORT")
            .listenPort("SINK_PORT")
            .start()) {
      pid = agent.pid();
      assertThat(pid).isPositive();
      assertThat(Files.readString(agent.configFile()))
          .contains("port = " + agent.port("SINK_PORT"));

      List<String> sent = send(agent.port("SOURCE_PORT"), "e", 1_000);
      try (PullClient puller = PullClient.connect("127.0.0.1", agent.port("SINK_PORT"))) {
        assertThat(puller.drain(sent.size(), 300, Duration.ofSeconds(30)))
            .containsExactlyElementsOf(sent);
        assertThat(puller.getEventBatch(100).getErrorMsg()).startsWith("No events");
      }
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isIn(Optional.empty(), Optional.of(false));
  }

  @Test
  void killAndRestartKeepFileChannelEventsThatWereNotAcked() throws Exception {
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .configuration(AVRO_TO_SPARKING_SINK)
            .placeholder("CHANNEL_TYPE", "file")
            .listenPort("SOURCE_PORT")
            .listenPort("SINK_PORT")
            .start()) {
      List<String> sent = send(agent.port("SOURCE_PORT"), "durable", 500);
      try (PullClient puller = PullClient.connect("127.0.0.1", agent.port("SINK_PORT"))) {
        // Taken but never acked when the agent dies: the file channel must hand them out again.
        assertThat(puller.getEventBatch(100).getEvents()).hasSize(100);
      }
      long before = agent.pid();
      agent.kill();
      assertThat(agent.pid()).isEqualTo(-1);
      agent.restart();
      assertThat(agent.pid()).isPositive().isNotEqualTo(before);

      try (PullClient puller = PullClient.connect("127.0.0.1", agent.port("SINK_PORT"))) {
        assertThat(puller.drain(sent.size(), 200, Duration.ofSeconds(30)))
            .containsExactlyElementsOf(sent);
        assertThat(puller.getEventBatch(100).getEvents()).isEmpty();
      }
    }
  }

  @Test
  void misconfiguredSinkFailsTheStartWithTheKeyInTheLogTail() {
    assertThatThrownBy(
            () ->
                FlumeAgent.builder()
                    .configuration(
                        AVRO_TO_SPARKING_SINK.replace(
                            "a1.sinks.out.port = ${SINK_PORT}",
                            "a1.sinks.out.port = ${SINK_PORT}\na1.sinks.out.threads = many"))
                    .listenPort("SOURCE_PORT")
                    .listenPort("SINK_PORT")
                    .startTimeout(Duration.ofSeconds(30))
                    .start()
                    .close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Log tail")
        .hasMessageContaining("'threads' = 'many'");
  }

  @Test
  void placeholderWithoutValueFailsBeforeAnyProcessStarts() {
    assertThatThrownBy(
            () ->
                FlumeAgent.builder()
                    .configuration(AVRO_TO_SPARKING_SINK)
                    .listenPort("SINK_PORT")
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[SOURCE_PORT]");
  }

  @Test
  void placeholdersTakeValuesThenDefaults() {
    assertThat(FlumeAgent.fill("a=${A} b=${B:-x} c=${C:-}", Map.of("A", "1")))
        .isEqualTo("a=1 b=x c=");
    assertThat(FlumeAgent.fill("b=${B:-x}", Map.of("B", "2"))).isEqualTo("b=2");
  }
}
