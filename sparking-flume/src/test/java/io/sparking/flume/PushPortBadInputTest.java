package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.flume.internal.AvroPushServer;
import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.SparkFlumeProtocol;
import io.sparking.flume.sink.RawClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.ipc.CallFuture;
import org.apache.avro.ipc.netty.NettyTransceiver;
import org.apache.avro.ipc.specific.SpecificRequestor;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bad clients on the push receiver's port, each between two good Flume clients: the bad connection
 * is dropped (or, for a silent one, left alone), the server keeps serving, and what it acknowledged
 * is exactly what was stored. The batch store is a plain list standing in for Spark. More cases
 * (HTTP, truncated frame, oversized batch) are in {@link PushServerRobustnessTest}.
 */
class PushPortBadInputTest {
  private static final int BATCH = 50;

  private final List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
  private AvroPushServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** A bad client; it runs after one good batch was acknowledged and before the next is sent. */
  private interface BadClient {
    void run(int port) throws Exception;
  }

  @Test
  void randomBytesAreDroppedAndAcknowledgedEventsStayExact() throws Exception {
    survives(
        PushSettings.defaults(),
        port -> {
          RawClient.assertRandomBytesAreDropped(port, 5);
        });
  }

  @Test
  void declaredLengthFarOverTheLimitIsRefusedBeforeAnythingIsBuffered() throws Exception {
    survives(
        PushSettings.defaults(),
        port -> {
          try (RawClient liar = new RawClient(port)) {
            liar.sendFrameHeader(1, 1, Integer.MAX_VALUE);
            long total = 256L * 1024 * 1024;
            long written = liar.streamUntilDropped(total);
            assertThat(written)
                .as("bytes the receiver accepted after a 2 GiB declaration")
                .isLessThan(total / 4);
          }
          try (RawClient liar = new RawClient(port)) {
            liar.sendFrameHeader(2, 1, -5).assertClosedByServer();
          }
          try (RawClient justOver = new RawClient(port)) {
            justOver
                .sendFrameHeader(3, 1, PushSettings.DEFAULT_MAX_FRAME_BYTES)
                .assertClosedByServer();
          }
        });
  }

  @Test
  void pullClientOnThePushPortFailsWithTheUnknownMessageAndTheServerKeepsServing()
      throws Exception {
    survives(
        PushSettings.defaults(),
        port -> {
          // A pull receiver pointed at a push port by mistake: a valid Avro handshake, another
          // protocol.
          try (NettyTransceiver transceiver =
              new NettyTransceiver(new InetSocketAddress("127.0.0.1", port), 10_000)) {
            SparkFlumeProtocol.Callback pull =
                SpecificRequestor.getClient(SparkFlumeProtocol.Callback.class, transceiver);
            CallFuture<EventBatch> answer = new CallFuture<>();
            pull.getEventBatch(10, answer);
            assertThatThrownBy(() -> answer.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("getEventBatch");
          }
        });
  }

  @Test
  void silentClientsBlockNobodyAndAreLeftOpen() throws Exception {
    server = AvroPushServer.start("127.0.0.1", 0, PushSettings.defaults(), stored::addAll);
    try (RawClient silent = new RawClient(server.port());
        RawClient halfHeader = new RawClient(server.port())) {
      halfHeader.send(new byte[] {0, 0, 0});
      survives(port -> {});
      // Not closed on purpose: Flume's avro sink connects at start and says nothing until it has
      // events.
      assertThat(silent.stillOpen(Duration.ofMillis(200))).isTrue();
      assertThat(halfHeader.stillOpen(Duration.ofMillis(200))).isTrue();
    }
  }

  @Test
  void singleEventOverMaxFrameBytesIsRefusedAndNothingAcknowledgedIsLost() throws Exception {
    PushSettings small = PushSettings.builder().maxFrameBytes(64 * 1024).build();
    survives(
        small,
        port -> {
          try (FlumeClients.Sender client = FlumeClients.client(port, 1, Map.of())) {
            assertThatThrownBy(
                    () -> client.rpc().append(EventBuilder.withBody(new byte[100 * 1024])))
                .isInstanceOf(EventDeliveryException.class);
          }
          assertThat(server.failedBatches()).as("a refused frame never reaches the store").isZero();
        });
  }

  private void survives(PushSettings settings, BadClient bad) throws Exception {
    server = AvroPushServer.start("127.0.0.1", 0, settings, stored::addAll);
    survives(bad);
  }

  /**
   * A good client sends {@link #BATCH} events, {@code bad} runs, a new good client sends {@link
   * #BATCH} more: every acknowledged event was stored exactly once, and nothing else was.
   */
  private void survives(BadClient bad) throws Exception {
    try (FlumeClients.Sender before = FlumeClients.client(server.port(), BATCH, Map.of())) {
      before.sendAll(FlumeClients.events("before", 0, BATCH));
    }
    assertThat(server.acknowledgedEvents()).isEqualTo(BATCH);

    bad.run(server.port());

    try (FlumeClients.Sender after = FlumeClients.client(server.port(), BATCH, Map.of())) {
      after.sendAll(FlumeClients.events("after", 0, BATCH));
    }
    assertThat(server.acknowledgedEvents()).isEqualTo(2 * BATCH);
    List<FlumeEvent> expected =
        new java.util.ArrayList<>(FlumeClients.expected("before", 0, BATCH));
    expected.addAll(FlumeClients.expected("after", 0, BATCH));
    assertThat(stored).containsExactlyElementsOf(expected);
  }
}
