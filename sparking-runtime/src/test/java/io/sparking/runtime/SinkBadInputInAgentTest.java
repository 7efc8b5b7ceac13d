package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.flume.protocol.PullClient;
import io.sparking.flume.sink.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;

/**
 * The Sparking sink inside a real Flume agent (its own JVM, Flume's classpath) facing bad clients
 * on its port: the agent lives on, and a receiver then pulls every event exactly once. The same
 * cases, one by one and in-process, are in the sink module's {@code PullPortBadInputTest}.
 */
class SinkBadInputInAgentTest {
  private static final long STREAMED = 256L * 1024 * 1024;

  @Test
  void oversizedDeclarationAndWrongProtocolLeaveTheAgentServingEveryEventOnce() throws Exception {
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .configuration(FlumeAgentTest.AVRO_TO_SPARKING_SINK)
            .listenPort("SOURCE_PORT")
            .listenPort("SINK_PORT")
            .start()) {
      long pid = agent.pid();
      List<String> sent = FlumeAgentTest.send(agent.port("SOURCE_PORT"), "kept", 500);
      int sinkPort = agent.port("SINK_PORT");

      long accepted;
      // One buffer of 2 GiB declared, then zeros until the sink drops the connection (bounded by
      // RawClient).
      try (RawClient client = new RawClient(sinkPort)) {
        accepted = client.sendFrameHeader(1, 1, Integer.MAX_VALUE).streamUntilDropped(STREAMED);
      }
      assertThat(accepted)
          .as("bytes the sink accepted after a 2 GiB declaration")
          .isLessThan(STREAMED / 4);

      RpcClient wrongProtocol = RpcClientFactory.getDefaultInstance("127.0.0.1", sinkPort, 10);
      try {
        assertThatThrownBy(
                () -> wrongProtocol.append(EventBuilder.withBody("x", StandardCharsets.UTF_8)))
            .isInstanceOf(EventDeliveryException.class)
            // The agent's Avro says "Not a remote message: append": the sink's protocol has no such
            // call.
            .hasStackTraceContaining("Exception thrown from remote handler")
            .hasStackTraceContaining("message: append");
      } finally {
        wrongProtocol.close();
      }

      assertThat(agent.pid()).as("the agent process").isEqualTo(pid);
      try (PullClient puller = PullClient.connect("127.0.0.1", sinkPort)) {
        assertThat(puller.drain(sent.size(), 200, Duration.ofSeconds(30)))
            .containsExactlyElementsOf(sent);
        assertThat(puller.getEventBatch(100).getEvents()).isEmpty();
      }
    }
  }
}
