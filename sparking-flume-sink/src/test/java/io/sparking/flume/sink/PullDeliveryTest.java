package io.sparking.flume.sink;

import static io.sparking.flume.protocol.PullClient.bodies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.PullClient;
import io.sparking.flume.protocol.Settlement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PullDeliveryTest {

  private static List<String> events(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
  }

  @Test
  void ackedEventsComeOutExactlyOnceInChannelOrder() throws Exception {
    List<String> sent = events("e", 2_500);
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(sent.subList(0, 1_000));
      agent.put(sent.subList(1_000, 2_500));

      List<String> received = new ArrayList<>();
      while (received.size() < sent.size()) {
        EventBatch batch = client.getEventBatch(300);
        assertThat(batch.getErrorMsg()).as("error of batch %d", received.size()).isEmpty();
        assertThat(batch.getEvents()).hasSizeLessThanOrEqualTo(300);
        assertThat(batch.getEvents())
            .allSatisfy(
                e -> assertThat(e.getHeaders()).containsEntry("h", PullClient.text(e.getBody())));
        received.addAll(bodies(batch));
        client.ack(batch.getSequenceNumber());
      }

      assertThat(received).containsExactlyElementsOf(sent);
      EventBatch after = client.getEventBatch(100);
      assertThat(after.getEvents()).isEmpty();
      assertThat(after.getErrorMsg()).contains("No events");
      assertThat(agent.sink.openTransactions()).isZero();
    }
  }

  @Test
  void nackedBatchIsDeliveredAgainAndNothingIsLost() throws Exception {
    List<String> sent = events("n", 50);
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(sent);

      EventBatch first = client.getEventBatch(20);
      assertThat(bodies(first)).containsExactlyElementsOf(sent.subList(0, 20));
      client.nack(first.getSequenceNumber());

      List<String> received = new ArrayList<>();
      EventBatch batch;
      while ((batch = client.getEventBatch(20)).getErrorMsg().isEmpty()) {
        received.addAll(bodies(batch));
        client.ack(batch.getSequenceNumber());
      }
      assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(received.subList(0, 20)).containsExactlyElementsOf(sent.subList(0, 20));
    }
  }

  @Test
  void batchWithoutAckRollsBackAfterTheTimeoutAndIsDeliveredAgain() throws Exception {
    List<String> sent = events("t", 10);
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200", "timeout", "1"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(sent);

      EventBatch forgotten = client.getEventBatch(100);
      assertThat(bodies(forgotten)).containsExactlyElementsOf(sent);
      await().atMost(Duration.ofSeconds(10)).until(() -> agent.sink.openTransactions() == 0);

      EventBatch again = client.getEventBatch(100);
      assertThat(again.getSequenceNumber()).isNotEqualTo(forgotten.getSequenceNumber());
      assertThat(bodies(again)).containsExactlyElementsOf(sent);
      client.ack(again.getSequenceNumber());
      assertThat(client.getEventBatch(100).getEvents()).isEmpty();
    }
  }

  @Test
  void settleCommitsAnOpenTransactionAndTellsHowEachEnded() throws Exception {
    List<String> sent = events("s", 30);
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200", "timeout", "1"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(sent);
      assertThat(client.speaksSettle()).isTrue();

      EventBatch settled = client.getEventBatch(10);
      assertThat(client.settle(settled.getSequenceNumber())).isEqualTo(Settlement.COMMITTED);
      assertThat(agent.sink.openTransactions()).isZero();
      assertThat(client.settle(settled.getSequenceNumber()))
          .as("asked again, the sink remembers")
          .isEqualTo(Settlement.COMMITTED);

      EventBatch acked = client.getEventBatch(10);
      client.ack(acked.getSequenceNumber());
      assertThat(client.settle(acked.getSequenceNumber())).isEqualTo(Settlement.COMMITTED);

      EventBatch nacked = client.getEventBatch(10);
      client.nack(nacked.getSequenceNumber());
      assertThat(client.settle(nacked.getSequenceNumber())).isEqualTo(Settlement.ROLLED_BACK);

      EventBatch expired = client.getEventBatch(10);
      await().atMost(Duration.ofSeconds(10)).until(() -> agent.sink.openTransactions() == 0);
      assertThat(client.settle(expired.getSequenceNumber()))
          .as("settled after the sink's timeout rolled it back")
          .isEqualTo(Settlement.ROLLED_BACK);

      assertThat(client.settle("another-sink-7")).isEqualTo(Settlement.UNKNOWN);
      String ours = expired.getSequenceNumber().toString();
      String notYetIssued = ours.substring(0, ours.lastIndexOf('-') + 1) + 1_000_000;
      assertThat(client.settle(notYetIssued)).isEqualTo(Settlement.UNKNOWN);

      // What settled as committed left the channel; the rest is delivered again, once.
      List<String> received = new ArrayList<>(bodies(settled));
      received.addAll(bodies(acked));
      received.addAll(client.drain(20, 100, Duration.ofSeconds(10)));
      assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  @Test
  void aRestartedSinkDoesNotKnowTheTransactionsOfTheOneBefore() throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(events("r", 5));
      EventBatch before = client.getEventBatch(5);
      client.ack(before.getSequenceNumber());
      agent.restartSink();
      try (PullClient again = PullClient.connect("127.0.0.1", agent.port())) {
        assertThat(again.settle(before.getSequenceNumber())).isEqualTo(Settlement.UNKNOWN);
      }
    }
  }

  @Test
  void lateAckAfterTheTimeoutCommitsNothing() throws Exception {
    List<String> sent = events("late", 10);
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200", "timeout", "1"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(sent);

      EventBatch expired = client.getEventBatch(5);
      await().atMost(Duration.ofSeconds(10)).until(() -> agent.sink.openTransactions() == 0);
      EventBatch current = client.getEventBatch(5);
      assertThat(bodies(current)).containsExactlyElementsOf(sent.subList(0, 5));

      // The late ack must neither commit the expired batch nor touch the batch now open with the
      // same events.
      client.ack(expired.getSequenceNumber());
      assertThat(agent.sink.openTransactions()).isEqualTo(1);
      client.nack(current.getSequenceNumber());

      List<String> received = new ArrayList<>();
      EventBatch batch;
      while ((batch = client.getEventBatch(3)).getErrorMsg().isEmpty()) {
        received.addAll(bodies(batch));
        client.ack(batch.getSequenceNumber());
      }
      assertThat(received).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void emptyChannelAnswersAnEmptyBatchWithinTheBatchWait() throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "500"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      long start = System.nanoTime();
      EventBatch batch = client.getEventBatch(100);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(batch.getEvents()).isEmpty();
      assertThat(batch.getErrorMsg())
          .isEqualTo("No events in the channel of sink k1 within 500 ms");
      assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofSeconds(3));
      assertThat(agent.sink.openTransactions()).isZero();
    }
  }

  @Test
  void eventArrivingDuringTheWaitIsHandedOutAtOnce() throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "10000"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      var request =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.getEventBatch(100);
                } catch (Exception e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              });
      await().atMost(Duration.ofSeconds(5)).until(() -> agent.sink.waitingRequests() == 1);
      long start = System.nanoTime();
      agent.put(List.of("x"));
      EventBatch batch = request.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThat(bodies(batch)).containsExactly("x");
      client.ack(batch.getSequenceNumber());
    }
  }

  @Test
  void moreOpenBatchesThanThreadsGetAnErrorInsteadOfBlocking() throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "300", "threads", "2"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(events("b", 30));
      EventBatch one = client.getEventBatch(10);
      EventBatch two = client.getEventBatch(10);
      EventBatch three = client.getEventBatch(10);

      assertThat(one.getEvents()).hasSize(10);
      assertThat(two.getEvents()).hasSize(10);
      assertThat(three.getEvents()).isEmpty();
      assertThat(three.getErrorMsg()).contains("All 2 transactions").contains("'threads'");

      client.ack(one.getSequenceNumber());
      EventBatch four = client.getEventBatch(10);
      assertThat(four.getEvents()).hasSize(10);
      client.ack(two.getSequenceNumber());
      client.ack(four.getSequenceNumber());
      assertThat(client.getEventBatch(10).getEvents()).isEmpty();
    }
  }

  @Test
  void batchIsCutAtTheChannelsTransactionCapacity() throws Exception {
    try (SinkUnderTest agent =
            SinkUnderTest.start(
                Map.of("capacity", "1000", "transactionCapacity", "100", "keep-alive", "0"),
                Map.of("batchWait", "200"));
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      agent.put(events("c", 100));
      agent.put(events("d", 100));
      EventBatch batch = client.getEventBatch(500);
      assertThat(batch.getErrorMsg()).isEmpty();
      assertThat(batch.getEvents()).hasSize(100);
      client.ack(batch.getSequenceNumber());
      assertThat(client.getEventBatch(500).getEvents()).hasSize(100);
    }
  }

  @Test
  void stoppingTheSinkRollsBackOpenBatchesWithinBoundedTime() throws Exception {
    List<String> sent = events("s", 20);
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200", "timeout", "600"))) {
      agent.put(sent);
      try (PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
        assertThat(bodies(client.getEventBatch(100))).containsExactlyElementsOf(sent);
      }
      long start = System.nanoTime();
      agent.restartSink();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

      try (PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
        EventBatch again = client.getEventBatch(100);
        assertThat(bodies(again)).containsExactlyElementsOf(sent);
        client.ack(again.getSequenceNumber());
      }
    }
  }

  @Test
  void askingForNoEventsGetsAnErrorBatch() throws Exception {
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of());
        PullClient client = PullClient.connect("127.0.0.1", agent.port())) {
      EventBatch batch = client.getEventBatch(0);
      assertThat(batch.getErrorMsg()).contains("Asked for 0 events");
      assertThat(batch.getEvents()).isEmpty();
    }
  }
}
