package io.sparking.flume.sink;

import static io.sparking.flume.protocol.PullClient.bodies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.PullClient;
import io.sparking.flume.sink.internal.BatchServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.avro.AvroRuntimeException;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/**
 * Bad clients on the sink's port, each between a receiver that holds a batch it has not acked yet
 * and receivers that pull the rest: the bad connection is dropped (or, for a silent one, left
 * alone), the sink keeps serving, and every event comes out exactly once, the held batch included
 * once it is acked.
 */
class PullPortBadInputTest {
  private static final int EVENTS = 100;
  private static final int HELD = 40;

  /** A bad client; it runs while another receiver holds an unacked batch. */
  private interface BadClient {
    void run(int port) throws Exception;
  }

  @Test
  void randomBytesAreDroppedAndTheHeldBatchStillCommits() throws Exception {
    survives(
        port -> {
          RawClient.assertRandomBytesAreDropped(port, 5);
        });
  }

  @Test
  void httpRequestOnThePullPortIsDropped() throws Exception {
    survives(
        port -> {
          try (RawClient http = new RawClient(port)) {
            http.send("GET / HTTP/1.1\r\nHost: agent\r\n\r\n".getBytes(StandardCharsets.US_ASCII))
                .assertClosedByServer();
          }
        });
  }

  @Test
  void truncatedFrameIsDroppedWhenTheClientGoesAway() throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"))) {
      survives(
          agent,
          port -> {
            try (RawClient quitter = new RawClient(port)) {
              quitter.sendFrameHeader(7, 1, 1000).send(new byte[10]);
            }
            // Only the receiver holding its batch stays connected.
            await().atMost(RawClient.CLOSE_WAIT).until(() -> agent.sink.openConnections() == 1);
          });
    }
  }

  @Test
  void declaredLengthFarOverTheLimitIsRefusedBeforeAnythingIsBuffered() throws Exception {
    survives(
        port -> {
          try (RawClient liar = new RawClient(port)) {
            liar.sendFrameHeader(1, 1, Integer.MAX_VALUE);
            // Without the frame guard avro-ipc reads and keeps all of it, waiting for the declared
            // 2 GiB to arrive.
            long total = 256L * 1024 * 1024;
            long written = liar.streamUntilDropped(total);
            assertThat(written)
                .as("bytes the sink accepted after a 2 GiB declaration")
                .isLessThan(total / 4);
          }
          try (RawClient liar = new RawClient(port)) {
            liar.sendFrameHeader(2, 500_000_000, 4).assertClosedByServer();
          }
          try (RawClient liar = new RawClient(port)) {
            liar.sendFrameHeader(3, 1, -5).assertClosedByServer();
          }
          try (RawClient justOver = new RawClient(port)) {
            justOver.sendFrameHeader(4, 1, BatchServer.MAX_REQUEST_BYTES).assertClosedByServer();
          }
        });
  }

  @Test
  void pushClientOnThePullPortFailsWithTheUnknownMessageAndTheSinkKeepsServing() throws Exception {
    survives(
        port -> {
          // Flume's avro sink pointed at this sink's port by mistake: a valid Avro handshake,
          // another protocol. The
          // sink's server refuses the call, naming the message its protocol lacks; the client,
          // given that protocol in
          // the handshake, fails the call for the same reason. A connection refused, reset or timed
          // out would fail it
          // too, with neither message. (The client's own stack frame,
          // NettyAvroRpcClient.appendBatch, names the call
          // whatever went wrong, so a stack trace containing "appendBatch" proves nothing.)
          RpcClient wrong = RpcClientFactory.getDefaultInstance("127.0.0.1", port, 10);
          try (ServerErrors server = ServerErrors.capture()) {
            assertThatThrownBy(
                    () ->
                        wrong.appendBatch(
                            List.of(EventBuilder.withBody("x", StandardCharsets.UTF_8))))
                .isInstanceOf(EventDeliveryException.class)
                .hasMessageEndingWith("Failed to send batch")
                .hasRootCauseInstanceOf(AvroRuntimeException.class)
                .hasRootCauseMessage("Not a remote message: appendBatch");
            assertThat(server.messages())
                .as("errors the sink's Avro server logged")
                .anyMatch(
                    m ->
                        m.startsWith(
                            "No message named appendBatch in {\"protocol\":\"SparkFlumeProtocol\""));
          } finally {
            wrong.close();
          }
        });
  }

  @Test
  void silentClientBlocksNobodyAndHoldsNoTransaction() throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"));
        RawClient silent = new RawClient(agent.port());
        RawClient halfHeader = new RawClient(agent.port())) {
      halfHeader.send(new byte[] {0, 0, 0});
      survives(agent, port -> assertThat(agent.sink.openTransactions()).isEqualTo(1));
      // The sink does not close them: avro-ipc has no idle timeout, and a silent connection costs a
      // socket only.
      assertThat(silent.stillOpen(Duration.ofMillis(200))).isTrue();
      assertThat(halfHeader.stillOpen(Duration.ofMillis(200))).isTrue();
      assertThat(agent.sink.openTransactions()).isZero();
    }
  }

  @Test
  void eventOfEightMegabytesIsHandedOutWholeAndCommittedOnce() throws Exception {
    // The sink sets no event size limit: the channel and the source in front of it do. It hands a
    // big event out
    // whole; the receiver's stored block limits what it accepts.
    String big = "b".repeat(8 * 1024 * 1024);
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(List.of("before", big, "after"));
      List<String> received = new ArrayList<>();
      EventBatch batch;
      while ((batch = client.getEventBatch(10)).getErrorMsg().isEmpty()) {
        received.addAll(bodies(batch));
        client.ack(batch.getSequenceNumber());
      }
      assertThat(received).hasSize(3);
      assertThat(received.get(0)).isEqualTo("before");
      assertThat(received.get(1)).hasSize(big.length()).isEqualTo(big);
      assertThat(received.get(2)).isEqualTo("after");
      assertThat(drain(agent)).isZero();
    }
  }

  private static void survives(BadClient bad) throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"))) {
      survives(agent, bad);
    }
  }

  /**
   * Puts {@link #EVENTS} events; one receiver takes {@link #HELD} and holds them unacked while
   * {@code bad} runs; a new receiver then pulls the rest, the held batch is acked, and every event
   * must have come out exactly once.
   */
  private static void survives(SinkUnderTest agent, BadClient bad) throws Exception {
    List<String> sent = IntStream.range(0, EVENTS).mapToObj(i -> "e-" + i).toList();
    agent.put(sent);
    try (PullClient holder = PullClient.connect("127.0.0.1", agent.port())) {
      EventBatch held = holder.getEventBatch(HELD);
      assertThat(bodies(held)).containsExactlyElementsOf(sent.subList(0, HELD));

      bad.run(agent.port());

      List<String> received = new ArrayList<>(bodies(held));
      try (PullClient next = PullClient.connect("127.0.0.1", agent.port())) {
        EventBatch batch;
        while ((batch = next.getEventBatch(25)).getErrorMsg().isEmpty()) {
          received.addAll(bodies(batch));
          next.ack(batch.getSequenceNumber());
        }
        assertThat(batch.getErrorMsg()).contains("No events");
      }
      holder.ack(held.getSequenceNumber());
      assertThat(received).containsExactlyElementsOf(sent);
    }
    assertThat(agent.sink.openTransactions()).isZero();
    assertThat(drain(agent)).as("events left in the channel after every batch was acked").isZero();
  }

  /** Takes whatever is left in the channel (and rolls it back); the count of events there. */
  private static int drain(SinkUnderTest agent) {
    org.apache.flume.Transaction tx = agent.channel.getTransaction();
    tx.begin();
    try {
      int left = 0;
      while (agent.channel.take() != null) {
        left++;
      }
      return left;
    } finally {
      tx.rollback();
      tx.close();
    }
  }

  /**
   * The errors Avro's server side ({@code Responder}) logs while the capture is open: it logs each
   * call it refuses as a "system error" with the exception it answers with. The sink runs in this
   * JVM, so its log is this JVM's.
   */
  private static final class ServerErrors implements AutoCloseable {
    private static final String LOGGER = "org.apache.avro.ipc.Responder";
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender =
        new AbstractAppender("server-errors", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            if (event.getThrown() != null) {
              messages.add(String.valueOf(event.getThrown().getMessage()));
            }
          }
        };

    static ServerErrors capture() {
      ServerErrors errors = new ServerErrors();
      errors.appender.start();
      LoggerConfig logger = new LoggerConfig(LOGGER, Level.WARN, true);
      logger.addAppender(errors.appender, Level.WARN, null);
      errors.context.getConfiguration().addLogger(LOGGER, logger);
      errors.context.updateLoggers();
      return errors;
    }

    List<String> messages() {
      return List.copyOf(messages);
    }

    @Override
    public void close() {
      context.getConfiguration().removeLogger(LOGGER);
      context.updateLoggers();
      appender.stop();
    }
  }
}
