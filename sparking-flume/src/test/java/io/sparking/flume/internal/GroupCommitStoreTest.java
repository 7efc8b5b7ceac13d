package io.sparking.flume.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.flume.FlumeEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group commit in front of Spark's block store: every batch ends up in exactly one stored
 * block, a caller returns only once that block is stored, batches that wait together share a block,
 * and a failed block fails every batch in it. The block store here records what it is given
 * (Spark's own store is exercised by the receivers' tests against real agents).
 */
class GroupCommitStoreTest {
  private final ExecutorService callers = Executors.newFixedThreadPool(8);

  @AfterEach
  void stopCallers() throws InterruptedException {
    callers.shutdownNow();
    assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void everyBatchIsStoredOnceBeforeItsCallerReturnsAndConcurrentBatchesShareBlocks()
      throws Exception {
    List<List<String>> blocks = Collections.synchronizedList(new ArrayList<>());
    Set<String> stored = ConcurrentHashMap.newKeySet();
    GroupCommitStore store =
        new GroupCommitStore(
            events -> {
              sleep(
                  2); // a store takes a while, as Spark's does; batches arriving meanwhile queue up
              List<String> ids = events.stream().map(FlumeEvent::bodyAsString).toList();
              blocks.add(ids);
              stored.addAll(ids);
            },
            1_000,
            Long.MAX_VALUE);
    int callersCount = 8;
    int batchesEach = 100;
    int batchSize = 10;
    Set<String> missingOnReturn = ConcurrentHashMap.newKeySet();
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < callersCount; c++) {
      int caller = c;
      done.add(
          callers.submit(
              () -> {
                for (int b = 0; b < batchesEach; b++) {
                  List<FlumeEvent> batch = batch(caller + "-" + b + "-", batchSize);
                  store.store(batch);
                  batch.stream()
                      .map(FlumeEvent::bodyAsString)
                      .filter(id -> !stored.contains(id))
                      .forEach(missingOnReturn::add);
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }

    List<String> all = blocks.stream().flatMap(List::stream).toList();
    assertThat(all).hasSize(callersCount * batchesEach * batchSize).doesNotHaveDuplicates();
    assertThat(missingOnReturn)
        .as("events whose caller returned before their block was stored")
        .isEmpty();
    assertThat(blocks)
        .as("blocks for %d batches", callersCount * batchesEach)
        .hasSizeLessThan(callersCount * batchesEach / 2);
    // Batches stay whole and in order inside a block.
    for (List<String> block : blocks) {
      assertThat(block.size() % batchSize).isZero();
      for (int i = 0; i < block.size(); i += batchSize) {
        String prefix = block.get(i).substring(0, block.get(i).lastIndexOf('-') + 1);
        for (int j = 0; j < batchSize; j++) {
          assertThat(block.get(i + j)).isEqualTo(prefix + j);
        }
      }
    }
  }

  @Test
  void aBatchAloneIsStoredAtOnceAsItsOwnBlock() {
    List<Integer> blockSizes = new ArrayList<>();
    GroupCommitStore store =
        new GroupCommitStore(events -> blockSizes.add(events.size()), 1_000, Long.MAX_VALUE);
    store.store(batch("a-", 3));
    store.store(batch("b-", 5));
    assertThat(blockSizes).containsExactly(3, 5);
  }

  @Test
  void blocksStayWithinTheLimitsAndALargerBatchGoesAlone() throws Exception {
    CountDownLatch firstStoreStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> blockSizes = Collections.synchronizedList(new ArrayList<>());
    GroupCommitStore store =
        new GroupCommitStore(
            events -> {
              blockSizes.add(events.size());
              firstStoreStarted.countDown();
              await(release);
            },
            25,
            Long.MAX_VALUE);
    // The first batch holds the store; eight more queue up behind it meanwhile.
    Future<?> first = callers.submit(() -> store.store(batch("first-", 10)));
    assertThat(firstStoreStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<Future<?>> queued = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int n = i;
      queued.add(callers.submit(() -> store.store(batch("q" + n + "-", 10))));
    }
    queued.add(callers.submit(() -> store.store(batch("big-", 40))));
    waitUntilQueued(store, 7);
    release.countDown();
    first.get(10, TimeUnit.SECONDS);
    for (Future<?> f : queued) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(blockSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10 + 60 + 40);
    assertThat(blockSizes.subList(1, blockSizes.size()))
        .allMatch(size -> size <= 25 || size == 40)
        .contains(40)
        .contains(20);
  }

  @Test
  void aFailedBlockFailsEveryBatchInItAndTheNextBlockIsStored() throws Exception {
    CountDownLatch firstStoreStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> storedSizes = Collections.synchronizedList(new ArrayList<>());
    int[] calls = {0};
    GroupCommitStore store =
        new GroupCommitStore(
            events -> {
              int call;
              synchronized (calls) {
                call = ++calls[0];
              }
              if (call == 1) {
                firstStoreStarted.countDown();
                await(release);
                return;
              }
              if (call == 2) {
                throw new IllegalStateException("write-ahead log unavailable");
              }
              storedSizes.add(events.size());
            },
            1_000,
            Long.MAX_VALUE);
    Future<?> first = callers.submit(() -> store.store(batch("first-", 1)));
    assertThat(firstStoreStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Future<?> a = callers.submit(() -> store.store(batch("a-", 2)));
    Future<?> b = callers.submit(() -> store.store(batch("b-", 3)));
    waitUntilQueued(store, 2);
    release.countDown();
    first.get(10, TimeUnit.SECONDS);
    for (Future<?> f : List.of(a, b)) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("could not store the block")
          .hasMessageContaining("write-ahead log unavailable");
    }
    store.store(batch("c-", 4));
    assertThat(storedSizes).containsExactly(4);
  }

  @Test
  void rejectsLimitsBelowOne() {
    assertThatThrownBy(() -> new GroupCommitStore(events -> {}, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxEventsPerBlock");
  }

  private static List<FlumeEvent> batch(String prefix, int size) {
    List<FlumeEvent> events = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      events.add(
          FlumeEvent.of(Map.of(), (prefix + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return events;
  }

  /** Waits (bounded) until {@code count} callers wait in the store's queue. */
  private static void waitUntilQueued(GroupCommitStore store, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (store.queuedBatches() < count) {
      assertThat(System.nanoTime()).as("%d callers queued in time", count).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
