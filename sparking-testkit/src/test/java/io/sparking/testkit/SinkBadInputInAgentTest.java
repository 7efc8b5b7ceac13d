package io.sparking.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;

/**
 * The Sparking sink inside a real Flume agent (its own JVM, Flume's classpath) facing bad clients on its port: the
 * agent lives on, and a receiver then pulls every event exactly once. The same cases, one by one and in-process, are
 * in the sink module's {@code PullPortBadInputTest}.
 */
class SinkBadInputInAgentTest {
  private static final long STREAMED = 256L * 1024 * 1024;

  @Test
  void oversizedDeclarationAndWrongProtocolLeaveTheAgentServingEveryEventOnce() throws Exception {
    try (FlumeAgent agent = FlumeAgent.builder()
        .configuration(FlumeAgentTest.AVRO_TO_SPARKING_SINK)
        .listenPort("SOURCE_PORT")
        .listenPort("SINK_PORT")
        .start()) {
      long pid = agent.pid();
      List<String> sent = FlumeAgentTest.send(agent.port("SOURCE_PORT"), "kept", 500);
      int sinkPort = agent.port("SINK_PORT");

      long accepted = streamAfterDeclaringTwoGiB(sinkPort);
      assertThat(accepted).as("bytes the sink accepted after a 2 GiB declaration").isLessThan(STREAMED / 4);

      RpcClient wrongProtocol = RpcClientFactory.getDefaultInstance("127.0.0.1", sinkPort, 10);
      try {
        assertThatThrownBy(() -> wrongProtocol.append(EventBuilder.withBody("x", StandardCharsets.UTF_8)))
            .isInstanceOf(EventDeliveryException.class)
            // The agent's Avro says "Not a remote message: append": the sink's protocol has no such call.
            .hasStackTraceContaining("Exception thrown from remote handler")
            .hasStackTraceContaining("message: append");
      } finally {
        wrongProtocol.close();
      }

      assertThat(agent.pid()).as("the agent process").isEqualTo(pid);
      try (SinkPuller puller = new SinkPuller(sinkPort)) {
        assertThat(puller.drain(sent.size(), 200, Duration.ofSeconds(30))).containsExactlyElementsOf(sent);
        assertThat(puller.batch(100).getEvents()).isEmpty();
      }
    }
  }

  /**
   * Declares one buffer of 2 GiB, then streams zeros until the sink drops the connection; how many bytes went out.
   * Bounded: a sink that neither reads nor closes fails the test after a minute.
   */
  private static long streamAfterDeclaringTwoGiB(int port) throws Exception {
    ExecutorService writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "oversized-frame-writer"));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      Future<Long> written = writer.submit(() -> {
        long sent = 0;
        try {
          out.writeInt(1);
          out.writeInt(1);
          out.writeInt(Integer.MAX_VALUE);
          byte[] chunk = new byte[64 * 1024];
          while (sent < STREAMED) {
            out.write(chunk);
            sent += chunk.length;
          }
          out.flush();
        } catch (IOException dropped) {
          return sent;
        }
        return sent;
      });
      try {
        return written.get(60, TimeUnit.SECONDS);
      } finally {
        socket.close();
      }
    } finally {
      writer.shutdownNow();
    }
  }
}
