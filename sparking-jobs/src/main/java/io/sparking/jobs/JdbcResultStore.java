package io.sparking.jobs;

import io.sparking.kafka.KafkaRecord;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.streaming.kafka010.OffsetRange;

/**
 * The database side of {@link KafkaExactlyOnce}: three tables in one JDBC database, written
 * together in one transaction per batch, so the stored results and the stored Kafka position can
 * never disagree.
 *
 * <ul>
 *   <li>{@value #RECORDS}: every record, keyed by {@code (topic, partition_id, record_offset)},
 *       with its value and the batch time that stored it;
 *   <li>{@value #WORD_COUNTS}: a running count per word of the record values, the kind of aggregate
 *       a duplicate would silently inflate;
 *   <li>{@value #OFFSETS}: per partition, the offset of the next record to read ({@code
 *       untilOffset} of the last stored batch).
 * </ul>
 *
 * <p>The SQL is plain (no vendor {@code MERGE}/{@code UPSERT}), so the tables work on H2 (bundled)
 * and other JDBC databases whose driver is on the classpath. The store lives on the driver; it is
 * serializable by its URL only, its connection is opened on first use.
 */
public final class JdbcResultStore implements AutoCloseable, Serializable {
  private static final long serialVersionUID = 1L;

  /** The table of stored records. */
  public static final String RECORDS = "kafka_records";

  /** The table of word counts. */
  public static final String WORD_COUNTS = "word_counts";

  /** The table of Kafka positions. */
  public static final String OFFSETS = "kafka_offsets";

  private static final int INSERT_BATCH = 1_000;

  private final String jdbcUrl;
  private transient Connection connection;

  /** A store in the database at {@code jdbcUrl}; nothing is opened yet. */
  public JdbcResultStore(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  /** What {@link #storeBatch} did with a batch. */
  public enum Outcome {
    /** The batch's records, counts and offsets were committed. */
    STORED,
    /** Every range of the batch was already stored (a replay): nothing was written. */
    ALREADY_STORED
  }

  /** Creates the tables that do not exist yet. */
  public void createTables() throws SQLException {
    Connection c = connection();
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + RECORDS
              + " (topic VARCHAR(255) NOT NULL, partition_id INT NOT NULL,"
              + " record_offset BIGINT NOT NULL, record_value VARCHAR, batch_time BIGINT NOT NULL,"
              + " PRIMARY KEY (topic, partition_id, record_offset))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + WORD_COUNTS
              + " (word VARCHAR(1000) NOT NULL PRIMARY KEY,"
              + " occurrences BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + OFFSETS
              + " (topic VARCHAR(255) NOT NULL, partition_id INT NOT NULL,"
              + " next_offset BIGINT NOT NULL, PRIMARY KEY (topic, partition_id))");
    }
    c.commit();
  }

  /** The stored position of every partition: the offset of the next record to read. */
  public Map<TopicPartition, Long> offsets() throws SQLException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    Connection c = connection();
    try (Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery("SELECT topic, partition_id, next_offset FROM " + OFFSETS)) {
      while (rows.next()) {
        offsets.put(new TopicPartition(rows.getString(1), rows.getInt(2)), rows.getLong(3));
      }
    }
    c.commit();
    return offsets;
  }

  /**
   * Stores one batch in one transaction: its records, its word counts added to the running ones,
   * and each range's {@code untilOffset} as the partition's position. The offset rows are read
   * first, locked ({@code FOR UPDATE}), and compared with the batch's {@code fromOffset}s: a batch
   * whose ranges all end at or below the stored positions was stored before and is skipped; a batch
   * that would leave a gap or overlap part of a stored one is refused, since writing it would lose
   * or repeat records.
   *
   * @param records the batch's records, streamed (say, from {@code JavaRDD.toLocalIterator()})
   * @param wordCounts the batch's word counts, to add to the running counts
   * @throws IllegalStateException when the stored positions do not fit the batch's ranges (nothing
   *     is written)
   */
  public Outcome storeBatch(
      List<OffsetRange> ranges,
      Iterator<KafkaRecord> records,
      Map<String, Long> wordCounts,
      long batchTime)
      throws SQLException {
    Connection c = connection();
    try {
      if (!positionsAdmit(c, ranges)) {
        c.rollback();
        return Outcome.ALREADY_STORED;
      }
      insertRecords(c, records, batchTime);
      addWordCounts(c, wordCounts);
      List<Object[]> positions = new ArrayList<>();
      for (OffsetRange range : ranges) {
        positions.add(new Object[] {range.untilOffset(), range.topic(), range.partition()});
      }
      upsert(
          c,
          "UPDATE " + OFFSETS + " SET next_offset = ? WHERE topic = ? AND partition_id = ?",
          "INSERT INTO " + OFFSETS + " (next_offset, topic, partition_id) VALUES (?, ?, ?)",
          positions);
      c.commit();
      return Outcome.STORED;
    } catch (SQLException | RuntimeException | Error e) {
      rollbackQuietly(c, e);
      throw e;
    }
  }

  /** The number of stored records. */
  public long recordCount() throws SQLException {
    Connection c = connection();
    try (Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM " + RECORDS)) {
      rows.next();
      long count = rows.getLong(1);
      c.commit();
      return count;
    }
  }

  /** Closes the connection (an embedded H2 database closes with its last connection). */
  @Override
  public void close() throws SQLException {
    if (connection != null) {
      try {
        connection.close();
      } finally {
        connection = null;
      }
    }
  }

  /**
   * True when every range starts at its partition's stored position (or the partition has none
   * yet), false when every range is already below it; anything else is refused.
   */
  private static boolean positionsAdmit(Connection c, List<OffsetRange> ranges)
      throws SQLException {
    int stored = 0;
    List<String> misfits = new ArrayList<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT next_offset FROM "
                + OFFSETS
                + " WHERE topic = ? AND partition_id = ? FOR UPDATE")) {
      for (OffsetRange range : ranges) {
        select.setString(1, range.topic());
        select.setInt(2, range.partition());
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            continue;
          }
          long next = row.getLong(1);
          if (next == range.fromOffset()) {
            continue;
          }
          if (range.untilOffset() <= next) {
            stored += range.count() > 0 ? 1 : 0;
          } else {
            misfits.add(
                range.topic()
                    + "-"
                    + range.partition()
                    + " batch ["
                    + range.fromOffset()
                    + ", "
                    + range.untilOffset()
                    + ") but stored next offset "
                    + next);
          }
        }
      }
    }
    if (!misfits.isEmpty() || (stored > 0 && stored < nonEmpty(ranges))) {
      throw new IllegalStateException(
          "The batch does not continue the positions stored in "
              + OFFSETS
              + ": "
              + (misfits.isEmpty() ? "part of it was stored before" : String.join("; ", misfits))
              + ". Another job may be writing the same tables, or the table was edited: give each job its own database"
              + " (--jdbc-url)");
    }
    return stored == 0;
  }

  private static long nonEmpty(List<OffsetRange> ranges) {
    return ranges.stream().filter(r -> r.count() > 0).count();
  }

  private static void insertRecords(Connection c, Iterator<KafkaRecord> records, long batchTime)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO "
                + RECORDS
                + " (topic, partition_id, record_offset, record_value, batch_time) VALUES (?, ?, ?, ?, ?)")) {
      int pending = 0;
      while (records.hasNext()) {
        KafkaRecord r = records.next();
        insert.setString(1, r.topic());
        insert.setInt(2, r.partition());
        insert.setLong(3, r.offset());
        insert.setString(4, r.valueAsString());
        insert.setLong(5, batchTime);
        insert.addBatch();
        if (++pending == INSERT_BATCH) {
          insert.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        insert.executeBatch();
      }
    }
  }

  private static void addWordCounts(Connection c, Map<String, Long> wordCounts)
      throws SQLException {
    List<Object[]> rows = new ArrayList<>(wordCounts.size());
    for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
      rows.add(new Object[] {e.getValue(), e.getKey()});
    }
    upsert(
        c,
        "UPDATE " + WORD_COUNTS + " SET occurrences = occurrences + ? WHERE word = ?",
        "INSERT INTO " + WORD_COUNTS + " (occurrences, word) VALUES (?, ?)",
        rows);
  }

  /**
   * Runs {@code update} for every row, then {@code insert} with the same parameters for the rows it
   * touched nowhere: an upsert in plain SQL, in two JDBC batches of at most {@value #INSERT_BATCH}
   * statements each.
   */
  private static void upsert(Connection c, String update, String insert, List<Object[]> rows)
      throws SQLException {
    List<Object[]> missing = new ArrayList<>();
    try (PreparedStatement u = c.prepareStatement(update)) {
      for (int from = 0; from < rows.size(); from += INSERT_BATCH) {
        List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + INSERT_BATCH));
        for (Object[] row : chunk) {
          bind(u, row);
          u.addBatch();
        }
        int[] counts = u.executeBatch();
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] == Statement.SUCCESS_NO_INFO) {
            throw new IllegalStateException(
                "The JDBC driver of "
                    + c.getMetaData().getURL()
                    + " does not report"
                    + " update counts of batched statements, which the upsert needs: use a driver that does");
          }
          if (counts[i] == 0) {
            missing.add(chunk.get(i));
          }
        }
      }
    }
    try (PreparedStatement i = c.prepareStatement(insert)) {
      for (int from = 0; from < missing.size(); from += INSERT_BATCH) {
        for (Object[] row : missing.subList(from, Math.min(missing.size(), from + INSERT_BATCH))) {
          bind(i, row);
          i.addBatch();
        }
        i.executeBatch();
      }
    }
  }

  private static void bind(PreparedStatement statement, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      statement.setObject(i + 1, params[i]);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(jdbcUrl);
      connection.setAutoCommit(false);
    }
    return connection;
  }

  @Override
  public String toString() {
    return "JdbcResultStore[" + jdbcUrl + "]";
  }
}
