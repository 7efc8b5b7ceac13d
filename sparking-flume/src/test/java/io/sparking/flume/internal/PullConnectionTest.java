package io.sparking.flume.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.Agents;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PullSettings;
import io.sparking.runtime.FlumeAgent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.flume.Event;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;

/**
 * One pull connection against a real agent with Sparking's sink; the batch store is a list standing
 * in for Spark, so a store can be made to fail.
 */
class PullConnectionTest {

  @Test
  void batchWhoseStoreFailedIsNackedAndDeliveredAgainWithNothingLostOrDuplicated()
      throws Exception {
    List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(2);
    EventBatchStore store =
        events -> {
          if (failuresLeft.getAndDecrement() > 0) {
            throw new IllegalStateException("block manager unavailable");
          }
          stored.addAll(events);
        };
    PullSettings settings =
        PullSettings.builder()
            .batchSize(100)
            .callTimeout(Duration.ofSeconds(5))
            .emptyBackoff(Duration.ofMillis(10))
            .build();
    try (FlumeAgent agent = Agents.sparkingPullSink()) {
      send(agent.port(Agents.SOURCE_PORT), 300);
      PullConnection.StopSignal stop = new PullConnection.StopSignal();
      PullConnection connection =
          new PullConnection(
              "127.0.0.1",
              agent.port(Agents.SINK_PORT),
              0,
              settings,
              store,
              stop,
              FlumeReceiverMetrics.detachedPull());
      Thread thread = new Thread(connection, "test-pull-connection");
      thread.start();
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> stored.size() >= 300);
      } finally {
        stop.set();
        connection.abort();
        thread.join(TimeUnit.SECONDS.toMillis(15));
      }
      assertThat(thread.isAlive()).isFalse();
      assertThat(failuresLeft.get()).isNegative();
      assertThat(stored)
          .extracting(FlumeEvent::bodyAsString)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, 300).mapToObj(i -> "e" + i).toList());
    }
  }

  @Test
  void workersStoppedMidStreamLeaveTheRestToTheNextWorkersWithNothingLostOrDuplicated()
      throws Exception {
    int total = 20_000;
    PullSettings settings =
        PullSettings.builder()
            .batchSize(500)
            .connectionsPerAgent(3)
            .callTimeout(Duration.ofSeconds(5))
            .stopGrace(Duration.ofSeconds(3))
            .build();
    try (FlumeAgent agent = Agents.sparkingPullSink()) {
      send(agent.port(Agents.SOURCE_PORT), total);
      List<String> hosts = List.of("127.0.0.1");
      List<Integer> ports = List.of(agent.port(Agents.SINK_PORT));
      List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
      // The stop comes while the channel is still full, so calls are in flight on every connection.
      PullWorkers first = PullWorkers.start(hosts, ports, settings, stored::addAll);
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> stored.size() >= 2000);
      } finally {
        long start = System.nanoTime();
        first.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      }
      assertThat(first.stopped()).isTrue();
      assertThat(stored.size()).isLessThan(total);
      assertThat(first.storedEvents()).isEqualTo(stored.size());

      long storedByFirst = stored.size();
      try (PullWorkers second = PullWorkers.start(hosts, ports, settings, stored::addAll)) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> second.storedEvents() >= total - storedByFirst);
      }
      assertThat(stored)
          .extracting(FlumeEvent::bodyAsString)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, total).mapToObj(i -> "e" + i).toList());
    }
  }

  private static void send(int port, int count) throws Exception {
    Properties props = new Properties();
    props.setProperty("hosts", "h1");
    props.setProperty("hosts.h1", "127.0.0.1:" + port);
    props.setProperty("batch-size", "500");
    RpcClient client = RpcClientFactory.getInstance(props);
    try {
      List<Event> events =
          IntStream.range(0, count)
              .mapToObj(
                  i ->
                      EventBuilder.withBody(
                          ("e" + i).getBytes(StandardCharsets.UTF_8), Map.of("i", "" + i)))
              .toList();
      for (int i = 0; i < count; i += 500) {
        client.appendBatch(events.subList(i, Math.min(count, i + 500)));
      }
    } finally {
      client.close();
    }
  }
}
