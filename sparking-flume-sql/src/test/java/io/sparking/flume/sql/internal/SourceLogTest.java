package io.sparking.flume.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.flume.FlumeEvent;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source's log on its own: sealing, recovery after a crash, reading back, cleaning up. */
class SourceLogTest {
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
    byte[] next = Segments.frame(events("torn", 5), 0);
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
  void commitDeletesWhatWasReadButKeepsTheNewestSegmentForThePosition() throws Exception {
    try (SourceLog log = open()) {
      log.append(events("a", 2));
      log.seal();
      log.append(events("b", 2));
      log.seal();
      log.commit(4);
      assertThat(names()).containsExactly(String.format("%020d-%020d.seg", 2, 4));
    }
    try (SourceLog log = open()) {
      assertThat(log.end()).as("the position survives the cleanup").isEqualTo(4);
      assertThatThrownBy(() -> log.segments(0, 4))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("has no sealed segment for events 0 to 4");
    }
  }

  private SourceLog open() throws IOException {
    return SourceLog.open(new org.apache.hadoop.fs.Path(dir.toUri()), new Configuration());
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

  /** The bodies a reader on an executor would read from {@code partitions}. */
  private static List<String> bodies(List<SegmentPartition> partitions) throws IOException {
    List<String> bodies = new ArrayList<>();
    for (SegmentPartition p : partitions) {
      try (DataInputStream in =
          new DataInputStream(Files.newInputStream(Path.of(java.net.URI.create(p.path()))))) {
        long position = p.segmentStart();
        Segments.Frame frame;
        while (position < p.to() && (frame = Segments.next(in)) != null) {
          for (FlumeEvent e : frame.events()) {
            if (position >= p.from() && position < p.to()) {
              bodies.add(e.bodyAsString());
            }
            position++;
          }
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
