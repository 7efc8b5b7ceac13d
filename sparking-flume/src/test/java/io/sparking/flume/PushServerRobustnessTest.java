package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.internal.AvroPushServer;
import io.sparking.runtime.FreePorts;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The push server on its own (no Spark): what it answers when storing fails, and what it does with
 * clients that do not speak Avro RPC or declare more than it accepts. The batch store here is a
 * plain list standing in for Spark.
 */
class PushServerRobustnessTest {
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
  private AvroPushServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void failedStoreAnswersFailedAndTheResentBatchIsStoredOnce() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(2);
    server =
        AvroPushServer.start(
            "127.0.0.1",
            0,
            PushSettings.defaults(),
            events -> {
              if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("block manager unavailable");
              }
              stored.addAll(events);
            });
    List<Event> batch = FlumeClients.events("r", 0, 50);
    int failedAttempts = 0;
    // What the avro sink does: a failed append rolls the transaction back, the client is replaced
    // (Flume's client
    // refuses further calls after a failure) and the same events go again.
    while (true) {
      try (FlumeClients.Sender client = FlumeClients.client(server.port(), 50, Map.of())) {
        client.rpc().appendBatch(batch);
        break;
      } catch (EventDeliveryException e) {
        assertThat(stored).isEmpty();
        failedAttempts++;
        assertThat(failedAttempts).isLessThanOrEqualTo(2);
      }
    }
    assertThat(failedAttempts).isEqualTo(2);
    assertThat(server.failedBatches()).isEqualTo(2);
    assertThat(server.acknowledgedEvents()).isEqualTo(50);
    assertThat(stored).containsExactlyElementsOf(FlumeClients.expected("r", 0, 50));
  }

  @Test
  void garbageOnPushPortClosesThatConnectionAndTheNextClientGetsThrough() throws Exception {
    server = AvroPushServer.start("127.0.0.1", 0, PushSettings.defaults(), stored::addAll);
    try (Socket garbage = connect(server.port())) {
      garbage
          .getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: flume\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      garbage.getOutputStream().flush();
      assertClosedByServer(garbage);
    }
    assertDefaultClientGetsThrough();
  }

  @Test
  void oversizedFrameDeclarationClosesTheConnectionBeforeTheBodyArrives() throws Exception {
    server = AvroPushServer.start("127.0.0.1", 0, PushSettings.defaults(), stored::addAll);
    try (Socket liar = connect(server.port())) {
      DataOutputStream out = new DataOutputStream(liar.getOutputStream());
      out.writeInt(1); // serial
      out.writeInt(1); // one buffer
      out.writeInt(Integer.MAX_VALUE); // of 2 GiB, which avro-ipc would wait for and then allocate
      out.write(new byte[4096]);
      out.flush();
      assertClosedByServer(liar);
    }
    try (Socket liar = connect(server.port())) {
      DataOutputStream out = new DataOutputStream(liar.getOutputStream());
      out.writeInt(2);
      out.writeInt(500_000_000); // buffers, which avro-ipc would pre-size a list for
      out.flush();
      assertClosedByServer(liar);
    }
    assertDefaultClientGetsThrough();
  }

  @Test
  void truncatedFrameDoesNotStopTheServer() throws Exception {
    server = AvroPushServer.start("127.0.0.1", 0, PushSettings.defaults(), stored::addAll);
    try (Socket quitter = connect(server.port())) {
      DataOutputStream out = new DataOutputStream(quitter.getOutputStream());
      out.writeInt(7);
      out.writeInt(1);
      out.writeInt(1000);
      out.write(new byte[10]);
      out.flush();
    }
    await().atMost(CLOSE_WAIT).until(() -> server.openConnections() == 0);
    assertDefaultClientGetsThrough();
  }

  @Test
  void batchLargerThanMaxFrameBytesIsRefusedWhileSmallerBatchesPass() throws Exception {
    PushSettings settings = PushSettings.builder().maxFrameBytes(64 * 1024).build();
    server = AvroPushServer.start("127.0.0.1", 0, settings, stored::addAll);
    byte[] bigBody = new byte[1024];
    List<Event> big =
        java.util.stream.IntStream.range(0, 100)
            .mapToObj(i -> EventBuilder.withBody(bigBody))
            .toList();
    RpcClient tooBig = RpcClientFactory.getDefaultInstance("127.0.0.1", server.port(), 100);
    try {
      assertThatThrownBy(() -> tooBig.appendBatch(big)).isInstanceOf(EventDeliveryException.class);
    } finally {
      tooBig.close();
    }
    assertThat(stored).isEmpty();
    assertDefaultClientGetsThrough();
  }

  @Test
  void portInUseIsReportedWithHostAndPort() throws Exception {
    try (ServerSocket taken =
        new ServerSocket(FreePorts.next(), 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  AvroPushServer.start("127.0.0.1", port, PushSettings.defaults(), stored::addAll))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("Another process holds the port");
    }
  }

  /**
   * Flume's stock client ({@code getDefaultInstance}) delivers a batch that is stored exactly once.
   */
  private void assertDefaultClientGetsThrough() throws EventDeliveryException {
    stored.clear();
    RpcClient client = RpcClientFactory.getDefaultInstance("127.0.0.1", server.port(), 10);
    try {
      client.appendBatch(FlumeClients.events("ok", 0, 10));
    } finally {
      client.close();
    }
    assertThat(stored).containsExactlyElementsOf(FlumeClients.expected("ok", 0, 10));
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) CLOSE_WAIT.toMillis());
    return socket;
  }

  private static void assertClosedByServer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      assertThat(in.read()).as("end of stream: the server closed the connection").isEqualTo(-1);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open for " + CLOSE_WAIT, e);
    } catch (IOException reset) {
      // A reset instead of an orderly close also means the server dropped the connection.
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
    }
  }
}
