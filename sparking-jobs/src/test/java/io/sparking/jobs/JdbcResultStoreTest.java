package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.jobs.JdbcResultStore.Outcome;
import io.sparking.kafka.KafkaRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.streaming.kafka010.OffsetRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction and the guard of {@link JdbcResultStore} against a real embedded H2 file: a batch
 * is stored whole or not at all, a replayed batch is skipped, and a batch that does not continue
 * the stored position is refused.
 */
@Tag("default-line")
class JdbcResultStoreTest {
  @TempDir Path dir;
  private String url;
  private JdbcResultStore store;

  @BeforeEach
  void open() throws SQLException {
    url = "jdbc:h2:file:" + dir.resolve("results");
    store = new JdbcResultStore(url);
    store.createTables();
  }

  @AfterEach
  void close() throws SQLException {
    store.close();
  }

  @Test
  void storesRecordsWordCountsAndOffsetsOfABatchTogether() throws SQLException {
    assertThat(
            store.storeBatch(
                List.of(range(0, 0, 3), range(1, 0, 1)),
                records(
                    record(0, 0, "a b"), record(0, 1, "b"), record(0, 2, "c"), record(1, 0, "a")),
                Map.of("a", 2L, "b", 2L, "c", 1L),
                1_000))
        .isEqualTo(Outcome.STORED);

    assertThat(
            query(
                "SELECT partition_id || ':' || record_offset, record_value FROM "
                    + JdbcResultStore.RECORDS))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("0:0", "a b", "0:1", "b", "0:2", "c", "1:0", "a"));
    assertThat(query("SELECT word, occurrences FROM " + JdbcResultStore.WORD_COUNTS))
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "2", "b", "2", "c", "1"));
    assertThat(store.offsets())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(new TopicPartition("t", 0), 3L, new TopicPartition("t", 1), 1L));
  }

  @Test
  void skipsABatchStoredBeforeWithoutCountingItsWordsAgain() throws SQLException {
    List<OffsetRange> ranges = List.of(range(0, 0, 2));
    store.storeBatch(ranges, records(record(0, 0, "a"), record(0, 1, "a")), Map.of("a", 2L), 1_000);
    store.storeBatch(List.of(range(0, 2, 3)), records(record(0, 2, "b")), Map.of("b", 1L), 2_000);

    assertThat(
            store.storeBatch(
                ranges, records(record(0, 0, "a"), record(0, 1, "a")), Map.of("a", 2L), 1_000))
        .isEqualTo(Outcome.ALREADY_STORED);
    assertThat(store.recordCount()).isEqualTo(3);
    assertThat(query("SELECT word, occurrences FROM " + JdbcResultStore.WORD_COUNTS))
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "2", "b", "1"));
    assertThat(store.offsets()).containsExactly(Map.entry(new TopicPartition("t", 0), 3L));
  }

  @Test
  void refusesABatchThatWouldLeaveAGapOrRepeatPartOfAStoredOne() throws SQLException {
    store.storeBatch(
        List.of(range(0, 0, 3)),
        records(record(0, 0, "a"), record(0, 1, "a"), record(0, 2, "a")),
        Map.of("a", 3L),
        1_000);

    assertThatThrownBy(
            () ->
                store.storeBatch(
                    List.of(range(0, 5, 6)), records(record(0, 5, "x")), Map.of("x", 1L), 2_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("t-0 batch [5, 6) but stored next offset 3");
    assertThatThrownBy(
            () ->
                store.storeBatch(
                    List.of(range(0, 2, 4)),
                    records(record(0, 2, "a"), record(0, 3, "y")),
                    Map.of("a", 1L, "y", 1L),
                    2_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("t-0 batch [2, 4)");
    // One partition stored before, the other new: part of the batch would be written twice.
    assertThatThrownBy(
            () ->
                store.storeBatch(
                    List.of(range(0, 0, 3), range(1, 0, 1)),
                    records(record(1, 0, "z")),
                    Map.of("z", 1L),
                    2_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("part of it was stored before");

    assertThat(store.recordCount()).isEqualTo(3);
    assertThat(query("SELECT word, occurrences FROM " + JdbcResultStore.WORD_COUNTS))
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "3"));
    assertThat(store.offsets()).containsExactly(Map.entry(new TopicPartition("t", 0), 3L));
  }

  @Test
  void leavesNothingOfABatchWhoseWritingFailedHalfway() throws SQLException {
    List<KafkaRecord> good = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      good.add(record(0, i, "w"));
    }
    Iterator<KafkaRecord> failing =
        new Iterator<>() {
          private final Iterator<KafkaRecord> delegate = good.iterator();

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public KafkaRecord next() {
            if (!delegate.hasNext()) {
              throw new IllegalStateException("executor lost while fetching the batch");
            }
            return delegate.next();
          }
        };

    // 2,500 records are past two JDBC batch inserts when the failure comes.
    assertThatThrownBy(
            () ->
                store.storeBatch(List.of(range(0, 0, 3_000)), failing, Map.of("w", 3_000L), 1_000))
        .hasMessageContaining("executor lost");
    assertThat(store.recordCount()).isZero();
    assertThat(store.offsets()).isEmpty();

    // The batch, read again, is stored as if nothing had happened.
    assertThat(
            store.storeBatch(
                List.of(range(0, 0, 2_500)), good.iterator(), Map.of("w", 2_500L), 1_000))
        .isEqualTo(Outcome.STORED);
    assertThat(store.recordCount()).isEqualTo(2_500);
  }

  private static OffsetRange range(int partition, long from, long until) {
    return OffsetRange.create("t", partition, from, until);
  }

  private static KafkaRecord record(int partition, long offset, String value) {
    return new KafkaRecord(
        "t", partition, offset, 0L, null, value.getBytes(StandardCharsets.UTF_8), List.of());
  }

  private static Iterator<KafkaRecord> records(KafkaRecord... records) {
    return List.of(records).iterator();
  }

  /**
   * A two-column query as a map of text, through a connection of its own (the store's holds the
   * file open).
   */
  private Map<String, String> query(String sql) throws SQLException {
    Map<String, String> result = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      while (rows.next()) {
        result.put(rows.getString(1), rows.getString(2));
      }
    }
    return result;
  }
}
