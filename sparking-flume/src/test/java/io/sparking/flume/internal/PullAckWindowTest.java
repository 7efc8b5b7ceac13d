package io.sparking.flume.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.Agents;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PacedFeeder;
import io.sparking.flume.PullSettings;
import io.sparking.flume.RolledBackBatches;
import io.sparking.flume.protocol.Settlement;
import io.sparking.runtime.FlumeAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The DStream pull receiver's window between storing a batch and acking it, held open on purpose
 * against a real agent: the receiver's own pull connections and group-commit store (as {@link
 * FlumePullReceiver} composes them), with a list standing in for Spark's block store (write-ahead
 * log), whose write holds past the sink's transaction timeout right after the block is stored.
 *
 * <p>A connection acks a batch before it stores the next, so it holds at most one stored batch
 * whose ack has not been answered: a late ack (or a receiver gone before acking) duplicates at most
 * one batch per connection. While one block write holds, the other connections' batches wait behind
 * it in the group-commit store, so each of them may lose its transaction too.
 */
@Tag("default-line")
class PullAckWindowTest {
  private static final int WINDOWS = 3;
  private static final int CONNECTIONS = 2;
  private static final int BATCH = 100;
  // Long enough that an ack only a loaded machine delays is not rolled back outside the windows.
  private static final int SINK_TIMEOUT_SECONDS = 4;

  /** How long a held block write lasts: past the sink's timeout, so its transaction rolls back. */
  private static final Duration HOLD = Duration.ofSeconds(SINK_TIMEOUT_SECONDS + 1L);

  /**
   * While uniquely numbered ids flow into the agent, the store holds {@value #WINDOWS} times after
   * a block is stored and before it returns (so before the ack is sent), longer than the sink's
   * timeout: the sink rolls those transactions back and delivers their events again. Nothing is
   * lost; the only ids stored more than once are those of batches the sink answered ROLLED_BACK,
   * which the connections logged; those are at most one batch per connection per window, so the
   * duplicates are at most windows × connections × batch size.
   */
  @Test
  void aStoreHeldPastTheSinkTimeoutDuplicatesAtMostOneBatchPerConnectionPerWindowAndLosesNothing()
      throws Exception {
    PullSettings settings =
        PullSettings.builder()
            .batchSize(BATCH)
            .connectionsPerAgent(CONNECTIONS)
            .callTimeout(Duration.ofSeconds(5))
            .emptyBackoff(Duration.ofMillis(10))
            .reconnectBackoff(Duration.ofMillis(200))
            .stopGrace(Duration.ofSeconds(2))
            .build();
    // Spark's block store, as far as the window goes: a block is durable once in this list.
    List<String> stored = new CopyOnWriteArrayList<>();
    AtomicBoolean holdNext = new AtomicBoolean();
    AtomicInteger held = new AtomicInteger();
    AtomicInteger released = new AtomicInteger();
    EventBatchStore blocks =
        events -> {
          events.forEach(e -> stored.add(e.bodyAsString()));
          if (holdNext.compareAndSet(true, false)) {
            held.incrementAndGet();
            sleep(HOLD);
            released.incrementAndGet();
          }
        };
    // The receiver's store (FlumePullReceiver's GroupCommitStore), watched from outside: each
    // stored batch by its transaction, and how the sink said that transaction ended.
    GroupCommitStore receiverStore = new GroupCommitStore(blocks);
    Map<String, List<String>> batches = new ConcurrentHashMap<>();
    Map<String, Settlement> settlements = new ConcurrentHashMap<>();
    EventBatchStore watched =
        new EventBatchStore() {
          @Override
          public void store(List<FlumeEvent> events) {
            receiverStore.store(events);
          }

          @Override
          public void store(String agent, String transaction, List<FlumeEvent> events) {
            receiverStore.store(agent, transaction, events);
            batches.put(transaction, events.stream().map(FlumeEvent::bodyAsString).toList());
          }

          @Override
          public void settled(String agent, String transaction, Settlement settlement) {
            settlements.put(transaction, settlement);
          }
        };

    List<Long> distinctAtWindows = new ArrayList<>();
    List<Long> distinctAfterWindows = new ArrayList<>();
    try (FlumeAgent agent = Agents.sparkingPullSink(SINK_TIMEOUT_SECONDS);
        RolledBackBatches log = RolledBackBatches.capture();
        PacedFeeder feeder = PacedFeeder.start(agent.port(Agents.SOURCE_PORT))) {
      PullWorkers workers = null;
      try {
        workers =
            PullWorkers.start(
                List.of("127.0.0.1"), List.of(agent.port(Agents.SINK_PORT)), settings, watched);
        long distinct = 0;
        for (int window = 1; window <= WINDOWS; window++) {
          // New ids were stored since the last window: they flow before this one.
          long before = distinct;
          distinct = awaitDistinctAbove(stored, before, feeder);
          distinctAtWindows.add(distinct);
          int opened = window;
          long rolledBackBefore = count(settlements, Settlement.ROLLED_BACK);
          holdNext.set(true);
          await("window " + window + " held and released")
              .atMost(HOLD.plusSeconds(10))
              .until(() -> released.get() == opened);
          // The held batch's settle came after the sink's timeout: it answered ROLLED_BACK.
          await("window " + window + " heard rolled back")
              .atMost(Duration.ofSeconds(10))
              .until(() -> count(settlements, Settlement.ROLLED_BACK) > rolledBackBefore);
          // And new ids flow after it.
          long afterHold = distinctOf(stored);
          distinct = awaitDistinctAbove(stored, afterHold, feeder);
          distinctAfterWindows.add(distinct);
        }
        feeder.stop();
        int sent = feeder.sent();
        await("all " + sent + " ids stored")
            .atMost(Duration.ofSeconds(30))
            .until(() -> distinctOf(stored) >= sent);
        // The last batches' acks are answered with the next pull, within the sink's batchWait.
        await("every stored batch settled")
            .atMost(Duration.ofSeconds(10))
            .until(() -> settlements.keySet().containsAll(batches.keySet()));
      } finally {
        feeder.stop();
        if (workers != null) {
          workers.close();
        }
      }
      feeder.assertStoppedCleanly();
      assertThat(workers.stopped()).isTrue();

      int sent = feeder.sent();
      Map<String, Integer> counts = new java.util.HashMap<>();
      stored.forEach(id -> counts.merge(id, 1, Integer::sum));
      long lost = 0;
      for (int i = 0; i < sent; i++) {
        if (!counts.containsKey(PacedFeeder.id(i))) {
          lost++;
        }
      }
      long duplicates = stored.size() - (long) counts.size();
      Set<String> rolledBack =
          settlements.entrySet().stream()
              .filter(e -> e.getValue() == Settlement.ROLLED_BACK)
              .map(Map.Entry::getKey)
              .collect(Collectors.toSet());
      long rolledBackEvents = rolledBack.stream().mapToLong(tx -> batches.get(tx).size()).sum();
      Set<String> idsInRolledBack =
          rolledBack.stream().flatMap(tx -> batches.get(tx).stream()).collect(Collectors.toSet());
      Set<String> duplicated =
          counts.entrySet().stream()
              .filter(e -> e.getValue() > 1)
              .map(Map.Entry::getKey)
              .collect(Collectors.toSet());
      long bound = (long) WINDOWS * CONNECTIONS * BATCH;
      System.out.println(
          "scenario=flume-pull-ack-window sent="
              + sent
              + " windows="
              + held.get()
              + " connections="
              + CONNECTIONS
              + " batch_size="
              + BATCH
              + " sink_timeout_s="
              + SINK_TIMEOUT_SECONDS
              + " hold_ms="
              + HOLD.toMillis()
              + " distinct_at_windows="
              + distinctAtWindows
              + " distinct_after_windows="
              + distinctAfterWindows
              + " stored_batches="
              + batches.size()
              + " rolled_back_batches="
              + rolledBack.size()
              + " rolled_back_events="
              + rolledBackEvents
              + " rolled_back_logged="
              + log.count()
              + " stored="
              + stored.size()
              + " distinct="
              + counts.size()
              + " lost="
              + lost
              + " duplicates="
              + duplicates
              + " bound="
              + bound);

      // The windows were opened, while ids flowed before and after each.
      assertThat(held.get()).isEqualTo(WINDOWS);
      assertThat(distinctAtWindows).hasSize(WINDOWS).isSorted().doesNotHaveDuplicates();
      // New ids were stored after each window closed, while the feeder still sent (awaited above;
      // the receiver may have caught up with the feeder by the time it stopped).
      assertThat(distinctAfterWindows).hasSize(WINDOWS);
      // Each window rolled back at least the held batch, and at most one batch per connection.
      assertThat(rolledBack.size()).isBetween(WINDOWS, WINDOWS * CONNECTIONS);
      assertThat(log.batches())
          .as("rolled-back batches the connections logged")
          .extracting(RolledBackBatches.Batch::transaction)
          .containsExactlyInAnyOrderElementsOf(rolledBack);
      // No ack went unanswered: every other batch committed.
      assertThat(settlements.values()).doesNotContain(Settlement.UNKNOWN);
      assertThat(lost).isZero();
      assertThat(counts).hasSize(sent);
      // Duplicates are the rolled-back batches' events, each stored once more, and nothing else.
      assertThat(duplicates).isPositive().isEqualTo(rolledBackEvents).isLessThanOrEqualTo(bound);
      assertThat(idsInRolledBack).containsAll(duplicated);
    }
  }

  /** Waits until more than {@code than} distinct ids are stored, while the feeder still sends. */
  private static long awaitDistinctAbove(List<String> stored, long than, PacedFeeder feeder) {
    long now =
        await("more than " + than + " distinct ids stored")
            .atMost(Duration.ofSeconds(30))
            .until(() -> distinctOf(stored), n -> n > than);
    assertThat(feeder.running()).as("the feeder still sends").isTrue();
    return now;
  }

  private static long distinctOf(List<String> stored) {
    return stored.stream().distinct().count();
  }

  private static long count(Map<String, Settlement> settlements, Settlement which) {
    return settlements.values().stream().filter(s -> s == which).count();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
