package io.sparking.flume.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.protocol.Settlement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.util.SerializableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source's log on its own: sealing, recovery after a crash, reading back, cleaning up. */
class SourceLogTest {
  private static final String AGENT = "127.0.0.1:9999";

  @TempDir Path dir;

  @Test
  void aMicroBatchIsTheSealedSegmentsBetweenTwoSeals() throws Exception {
    try (SourceLog log = open()) {
      log.append(events("a", 3));
      log.append(events("b", 2));
      assertThat(log.seal()).isEqualTo(5);
      assertThat(log.seal()).as("nothing new, no new segment").isEqualTo(5);
      log.append(events("c", 4));
      assertThat(log.seal()).isEqualTo(9);

      assertThat(log.segments(0, 9))
          .extracting(SegmentPartition::from, SegmentPartition::to)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(0L, 5L),
              org.assertj.core.groups.Tuple.tuple(5L, 9L));
      assertThat(bodies(log.segments(5, 9))).containsExactly("c-0", "c-1", "c-2", "c-3");
    }
  }

  @Test
  void aSegmentLeftOpenByACrashIsSealedWithItsIntactBatchesAndATornOneIsDropped() throws Exception {
    SourceLog crashed = open();
    crashed.append(events("a", 2));
    crashed.seal();
    crashed.append(events("b", 3));
    crashed.append(events("c", 2));
    // The process dies while writing the next batch: half a frame is on disk, never acknowledged.
    Path openSegment = only("open-");
    byte[] next = Segments.frame("", "", events("torn", 5), 0);
    Files.write(
        openSegment, java.util.Arrays.copyOf(next, next.length / 2), StandardOpenOption.APPEND);

    try (SourceLog log = open()) {
      assertThat(log.end()).isEqualTo(7);
      assertThat(bodies(log.segments(2, 7))).containsExactly("b-0", "b-1", "b-2", "c-0", "c-1");
      log.append(events("d", 1));
      assertThat(log.seal()).isEqualTo(8);
      assertThat(bodies(log.segments(7, 8))).containsExactly("d-0");
    }
  }

  @Test
  void aPulledBatchWhoseTransactionRolledBackIsDroppedFromItsSegmentAndItsPositionsKept()
      throws Exception {
    try (SourceLog log = open()) {
      log.append(AGENT, "tx-1", events("a", 2));
      log.append(AGENT, "tx-2", events("b", 3));
      log.append(AGENT, "tx-3", events("c", 1));
      log.settled(AGENT, "tx-1", Settlement.COMMITTED);
      log.settled(AGENT, "tx-2", Settlement.ROLLED_BACK);
      log.settled(AGENT, "tx-3", Settlement.UNKNOWN);
      assertThat(log.seal()).isEqualTo(6);
      assertThat(bodies(log.segments(0, 6))).containsExactly("a-0", "a-1", "c-0");
    }
    try (SourceLog log = open()) {
      assertThat(bodies(log.segments(0, 6)))
          .as("the drop survives a restart")
          .containsExactly("a-0", "a-1", "c-0");
    }
  }

  @Test
  void aSealWaitsForTheSettlementOfEachBatchInItsSegmentWhileAppendsGoOn() throws Exception {
    try (SourceLog log = open()) {
      log.append(AGENT, "tx-1", events("a", 2));
      CompletableFuture<Long> seal = CompletableFuture.supplyAsync(log::seal);
      Thread.sleep(300);
      assertThat(seal).as("sealed before its batch was settled").isNotDone();
      log.append(AGENT, "tx-2", events("b", 1));
      log.settled(AGENT, "tx-1", Settlement.ROLLED_BACK);
      assertThat(seal.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      log.settled(AGENT, "tx-2", Settlement.COMMITTED);
      assertThat(log.seal()).isEqualTo(3);
      assertThat(bodies(log.segments(0, 3))).containsExactly("b-0");
    }
  }

  @Test
  void afterACrashTheSinkIsAskedAboutEachUnsettledBatchAndOnlyRolledBackOnesAreDropped()
      throws Exception {
    SourceLog crashed = open();
    crashed.append(AGENT, "tx-1", events("a", 2));
    crashed.append(AGENT, "tx-2", events("b", 2));
    crashed.append(AGENT, "tx-3", events("c", 2));
    crashed.append(AGENT, "tx-4", events("d", 2));
    // Learnt before the crash, and forgotten by the sink since (say it restarted).
    crashed.settled(AGENT, "tx-4", Settlement.ROLLED_BACK);
    // The process dies here: no seal, no close.
    Map<String, Settlement> sink =
        Map.of(
            "tx-1", Settlement.COMMITTED,
            "tx-2", Settlement.ROLLED_BACK,
            "tx-3", Settlement.UNKNOWN,
            "tx-4", Settlement.UNKNOWN);
    List<String> asked = new ArrayList<>();
    SourceLog.Settler settler =
        (agent, transaction) -> {
          assertThat(agent).isEqualTo(AGENT);
          asked.add(transaction);
          return sink.get(transaction);
        };
    try (SourceLog log = open(settler)) {
      assertThat(log.end()).isEqualTo(8);
      assertThat(asked).containsExactly("tx-1", "tx-2", "tx-3");
      assertThat(bodies(log.segments(0, 8))).containsExactly("a-0", "a-1", "c-0", "c-1");
    }
  }

  @Test
  void aFullLogRefusesBatchesUntilACommitDeletesWhatWasRead() throws Exception {
    int frame = Segments.frame(AGENT, "tx-1", events("a", 10), 0).length;
    long max = 2L * frame + frame / 2;
    try (SourceLog log = open(NO_SETTLER, max)) {
      log.append(AGENT, "tx-1", events("a", 10));
      log.settled(AGENT, "tx-1", Settlement.COMMITTED);
      assertThat(log.seal()).isEqualTo(10);
      log.append(AGENT, "tx-2", events("b", 10));
      log.settled(AGENT, "tx-2", Settlement.COMMITTED);
      assertThat(log.seal()).isEqualTo(20);
      assertThatThrownBy(() -> log.append(AGENT, "tx-3", events("c", 10)))
          .isInstanceOf(LogFullException.class)
          .hasMessageContaining("maxLogSize is " + max);
      assertThat(log.end()).as("the refused batch is not in the log").isEqualTo(20);

      // Everything read: even the newest segment gives way, to an empty one keeping the position.
      log.commit(20);
      assertThat(log.bytes()).isZero();
      log.append(AGENT, "tx-3", events("c", 10));
      log.settled(AGENT, "tx-3", Settlement.COMMITTED);
      assertThat(log.seal()).isEqualTo(30);
      assertThat(bodies(log.segments(20, 30))).hasSize(10).allMatch(b -> b.startsWith("c-"));
      assertThat(names())
          .as("the empty segment is gone once one starts there")
          .containsExactly(String.format("%020d-%020d.seg", 20, 30));
      log.commit(30);
    }
    try (SourceLog log = open()) {
      assertThat(log.end()).as("the position survives a restart").isEqualTo(30);
      assertThat(names()).containsExactly(String.format("%020d-%020d.seg", 30, 30));
    }
  }

  @Test
  void commitDeletesWhatWasReadAndKeepsThePositionInAnEmptySegment() throws Exception {
    try (SourceLog log = open()) {
      log.append(events("a", 2));
      log.seal();
      log.append(events("b", 2));
      log.seal();
      log.commit(2);
      assertThat(names()).containsExactly(String.format("%020d-%020d.seg", 2, 4));
      log.commit(4);
      assertThat(names()).containsExactly(String.format("%020d-%020d.seg", 4, 4));
    }
    try (SourceLog log = open()) {
      assertThat(log.end()).as("the position survives the cleanup").isEqualTo(4);
      assertThatThrownBy(() -> log.segments(0, 4))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("has no sealed segment for events 0 to 4");
    }
  }

  private static final SourceLog.Settler NO_SETTLER =
      (agent, transaction) -> {
        throw new AssertionError("no batch was left unsettled, yet " + transaction + " was asked");
      };

  @Test
  void aPushedEventWhoseIdTheLogTookIsDroppedAlsoAfterACommitAndARestart() throws Exception {
    try (SourceLog log = openWithIds(1000)) {
      log.append(events("a", 3));
      log.append(events("a", 2));
      assertThat(log.seal()).as("the copies of a-0 and a-1 dropped").isEqualTo(3);
      log.commit(3);
      log.append(events("b", 2));
      assertThat(log.seal()).isEqualTo(5);
    }
    assertThat(Files.exists(dir.resolve(String.format("%020d.ids", 0)))).isTrue();
    try (SourceLog log = openWithIds(1000)) {
      // a-* come from the id file of the deleted segment, b-* from the segment still there.
      List<FlumeEvent> again = new ArrayList<>(events("a", 4));
      again.addAll(events("b", 3));
      log.append(again);
      assertThat(log.seal()).isEqualTo(7);
      assertThat(bodies(log.segments(5, 7))).containsExactly("a-3", "b-2");
    }
  }

  @Test
  void anIdIsRememberedForTheWindowOfNewestEventsOnly() throws Exception {
    try (SourceLog log = openWithIds(3)) {
      log.append(events("a", 4));
      log.append(events("a", 4));
      assertThat(log.seal()).as("a-0 was past the window of 3, the others not").isEqualTo(5);
      assertThat(bodies(log.segments(4, 5))).containsExactly("a-0");
    }
  }

  @Test
  void aPushedEventWithoutItsIdIsRefusedWithItsBatchAndStopsTheQuery() throws Exception {
    try (SourceLog log = openWithIds(1000)) {
      log.append(events("a", 2));
      List<FlumeEvent> batch = new ArrayList<>(events("b", 2));
      batch.add(FlumeEvent.of(Map.of("host", "h1"), "no-id".getBytes(StandardCharsets.UTF_8)));
      assertThatThrownBy(() -> log.append(batch))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith(
              "eventIdHeader=id is missing from a pushed event (its headers: [host]): stamp an id"
                  + " on every event where it enters the agent")
          .hasMessageContaining("the batch was refused and stays in Flume");
      assertThat(log.end()).as("nothing of the batch logged").isEqualTo(2);
      assertThatThrownBy(() -> log.append(events("c", 1))).isInstanceOf(IOException.class);
      assertThatThrownBy(log::seal)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("eventIdHeader=id is missing from a pushed event");
    }
    try (SourceLog log = openWithIds(1000)) {
      assertThat(bodies(log.segments(0, log.seal()))).containsExactly("a-0", "a-1");
    }
  }

  private SourceLog openWithIds(int window) throws IOException {
    return SourceLog.open(
        new org.apache.hadoop.fs.Path(dir.toUri()),
        new Configuration(),
        NO_SETTLER,
        Duration.ofSeconds(5),
        SourceOptions.DEFAULT_MAX_LOG_BYTES,
        new EventIds("id", window));
  }

  private SourceLog open() throws IOException {
    return open(NO_SETTLER);
  }

  private SourceLog open(SourceLog.Settler settler) throws IOException {
    return open(settler, SourceOptions.DEFAULT_MAX_LOG_BYTES);
  }

  private SourceLog open(SourceLog.Settler settler, long maxBytes) throws IOException {
    return SourceLog.open(
        new org.apache.hadoop.fs.Path(dir.toUri()),
        new Configuration(),
        settler,
        Duration.ofSeconds(5),
        maxBytes);
  }

  private Path only(String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(prefix))
          .findFirst()
          .orElseThrow();
    }
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
    }
  }

  /** The bodies the executors' reader reads from {@code partitions}. */
  private static List<String> bodies(List<SegmentPartition> partitions) throws IOException {
    SegmentReaderFactory readers =
        new SegmentReaderFactory(new SerializableConfiguration(new Configuration()));
    List<String> bodies = new ArrayList<>();
    for (SegmentPartition p : partitions) {
      try (PartitionReader<InternalRow> reader = readers.createReader(p)) {
        while (reader.next()) {
          bodies.add(new String(reader.get().getBinary(1), StandardCharsets.UTF_8));
        }
      }
    }
    return bodies;
  }

  private static List<FlumeEvent> events(String prefix, int count) {
    List<FlumeEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(FlumeEvent.of(Map.of("id", prefix + "-" + i), (prefix + "-" + i).getBytes()));
    }
    return events;
  }
}
