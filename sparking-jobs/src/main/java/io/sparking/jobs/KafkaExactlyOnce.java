package io.sparking.jobs;

import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.SparkingKafka;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.kafka010.OffsetRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The exactly-once recipe: each batch's records, its word counts and its Kafka offsets are written
 * to a JDBC database in one transaction, and every start resumes from the offsets stored there.
 *
 * <p>Why exactly once: a batch's results and its position commit together or not at all. A driver
 * that dies before the commit leaves neither (the database rolls the open transaction back), so the
 * next run reads the batch again from the old position; a driver that dies after it leaves both, so
 * the next run starts after the batch. Inside the transaction the stored positions are locked and
 * compared with the batch's {@code fromOffset}s ({@link JdbcResultStore#storeBatch}): a batch
 * stored before is skipped, one that would leave a gap is refused.
 *
 * <p>Why no Spark checkpoint: the database is the source of truth for the position. A checkpoint
 * would hold a second position (the batches it had generated) that can be ahead of or behind the
 * database's after a crash; recovering from it would replay or skip batches the database already
 * decided on. So this job never calls {@code getOrCreate}: each run builds a new context and starts
 * the direct stream, with the partitions assigned explicitly, at the stored offsets (partitions the
 * database does not know yet start at their earliest offset). It commits nothing to Kafka, so a
 * consumer group's offsets play no part either.
 *
 * <p>Where the writing happens: on the driver, per batch. The batch is cached, its word counts are
 * reduced by Spark, and its records reach the driver one Kafka partition at a time ({@code
 * toLocalIterator}) while they are inserted, so the driver holds at most one partition's share of a
 * batch ({@code spark.streaming.kafka.maxRatePerPartition} times the batch interval bounds it).
 * That keeps the transaction in one place and one connection, which is what makes it simple and
 * correct; a job whose batches are too large for one writer would have executors write to a staging
 * table keyed by batch and let the driver's transaction move the rows and the offsets together.
 *
 * <p>Partitions are listed when the job starts; partitions added to a topic later are read after a
 * restart.
 */
@Command(
    name = "KafkaExactlyOnce",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Stores Kafka records, their word counts and their offsets in an embedded SQL database (H2) in"
            + " one transaction per batch, and restarts from the stored offsets: exactly once, also after a crash.")
public final class KafkaExactlyOnce extends KafkaJob {

  @Option(
      names = "--jdbc-url",
      paramLabel = "<url>",
      description =
          "The database of results and offsets, e.g. jdbc:h2:file:/data/words (default: an embedded H2"
              + " database in .sparking/databases/<job> under the working directory). Give each job its own. H2 URLs"
              + " get WRITE_DELAY=0 (a commit is in the file when it returns) and DB_CLOSE_ON_EXIT=FALSE unless they"
              + " set them.")
  String jdbcUrl;

  private transient JdbcResultStore store;

  @Override
  protected boolean recoversFromCheckpoint() {
    return false;
  }

  /** The direct stream: it reads in the batches' tasks, with no receivers. */
  @Override
  protected boolean direct() {
    return true;
  }

  /**
   * The database URL of this run: {@code --jdbc-url}, or the default H2 file under the working
   * directory.
   */
  String databaseUrl() {
    String url =
        jdbcUrl != null
            ? jdbcUrl
            : "jdbc:h2:file:"
                + Path.of(".sparking", "databases", name(), "results").toAbsolutePath();
    if (url.startsWith("jdbc:h2:")) {
      // H2 closes a database from its own shutdown hook, which could race the graceful stop's last
      // batch; the job
      // closes the database itself once the streams stopped.
      url = withH2Setting(url, "DB_CLOSE_ON_EXIT", "FALSE");
      // By default H2 writes commits to its file in the background (within 500 ms): a killed driver
      // would lose its
      // last commits (whole, so still exactly once, but after printing them as stored). 0 writes at
      // each commit.
      url = withH2Setting(url, "WRITE_DELAY", "0");
    }
    return url;
  }

  private static String withH2Setting(String url, String setting, String value) {
    return url.toUpperCase(java.util.Locale.ROOT).contains(";" + setting + "=")
        ? url
        : url + ";" + setting + "=" + value;
  }

  @Override
  protected void validate() {
    super.validate();
    if (sourceCheck.timeout().isEmpty()) {
      throw new IllegalArgumentException(
          "--connect-timeout=0 is no check, which "
              + name()
              + " cannot skip (it"
              + " reads the topics' partitions from the brokers before it starts its stream): pass 1 or more seconds");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--jdbc-url="
              + jdbcUrl
              + " is not a JDBC URL: pass one such as"
              + " jdbc:h2:file:/data/results (H2 is bundled; other databases need their driver on the classpath)");
    }
    if (output.outputDir != null) {
      throw new IllegalArgumentException(
          "--output-dir="
              + output.outputDir
              + " is not for "
              + name()
              + ", which"
              + " writes its results to the database (--jdbc-url), not to files: remove the option");
    }
  }

  @Override
  protected void preflight() {
    super.preflight();
    store = new JdbcResultStore(databaseUrl());
    try {
      store.createTables();
    } catch (SQLException e) {
      closeStore();
      throw new IllegalStateException(
          "Cannot open the database "
              + databaseUrl()
              + ": "
              + e.getMessage()
              + " (an embedded H2 file is usable by one process at a time: stop the other job or pass another"
              + " --jdbc-url)",
          e);
    }
  }

  @Override
  protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
    Map<TopicPartition, Long> from = startingOffsets();
    System.err.println(name() + " starts from the offsets in " + databaseUrl() + ": " + from);
    JdbcResultStore output = store;
    SparkingKafka.directStream(jssc, settings().withPartitions(from.keySet()), from)
        .foreachBatchWithOffsets(
            (records, ranges, time) -> store(output, records, ranges, time, reporter));
  }

  @Override
  protected void stopped() {
    closeStore();
  }

  /** Writes one batch; runs on the driver. */
  private static void store(
      JdbcResultStore store,
      JavaRDD<KafkaRecord> records,
      List<OffsetRange> ranges,
      Time time,
      BatchReporter reporter)
      throws SQLException {
    long count = ranges.stream().mapToLong(OffsetRange::count).sum();
    if (count == 0) {
      return;
    }
    JavaRDD<KafkaRecord> batch = records.cache();
    try {
      Map<String, Long> wordCounts =
          new HashMap<>(
              WordCount.of(batch.filter(r -> r.value() != null).map(KafkaRecord::valueAsString))
                  .collectAsMap());
      JdbcResultStore.Outcome outcome =
          store.storeBatch(ranges, batch.toLocalIterator(), wordCounts, time.milliseconds());
      reporter.report(
          outcome == JdbcResultStore.Outcome.STORED ? count : 0,
          time,
          (outcome == JdbcResultStore.Outcome.STORED ? " stored" : " already_stored=" + count)
              + " rows_in_table="
              + store.recordCount());
    } finally {
      batch.unpersist(false);
    }
  }

  /**
   * Every partition of the topics, at its stored offset, or at its earliest one when the database
   * has none.
   */
  private Map<TopicPartition, Long> startingOffsets() {
    Map<TopicPartition, Long> stored;
    try {
      stored = store.offsets();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot read the offsets from " + databaseUrl() + ": " + e.getMessage(), e);
    }
    Map<TopicPartition, Long> from = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(settings().consumerConfig())) {
      Duration timeout = sourceCheck.timeout().orElseThrow();
      List<TopicPartition> unknown = new ArrayList<>();
      for (String topic : topicList()) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
        if (partitions == null || partitions.isEmpty()) {
          throw new IllegalStateException(
              "Topic "
                  + topic
                  + " has no partitions on "
                  + settings().bootstrapServers()
                  + ": create it first");
        }
        for (PartitionInfo p : partitions) {
          TopicPartition partition = new TopicPartition(p.topic(), p.partition());
          if (stored.containsKey(partition)) {
            from.put(partition, stored.get(partition));
          } else {
            unknown.add(partition);
          }
        }
      }
      if (!unknown.isEmpty()) {
        from.putAll(consumer.beginningOffsets(unknown, timeout));
      }
    }
    return from;
  }

  private void closeStore() {
    if (store != null) {
      try {
        store.close();
      } catch (SQLException e) {
        System.err.println("warning: closing " + databaseUrl() + " failed: " + e.getMessage());
      }
      store = null;
    }
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    System.exit(StreamingJob.run(new KafkaExactlyOnce(), args));
  }
}
