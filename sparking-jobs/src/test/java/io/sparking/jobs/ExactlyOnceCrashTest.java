package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.KafkaBroker;
import io.sparking.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once under a real fault: {@link KafkaExactlyOnce} runs in a JVM of its own, stores
 * uniquely numbered ids read from a real broker in an embedded H2 file, is killed with SIGKILL
 * mid-stream and started again with the same command. Afterwards the test opens the database file
 * itself and counts, by id: none lost, none twice, in the records, in the word counts and in the
 * stored offsets. {@code -Pfaults} sends 200k ids instead of 20k.
 */
@Tag("default-line")
class ExactlyOnceCrashTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  private static final Pattern ROWS = Pattern.compile(".* rows_in_table=(\\d+)(?: .*)?$");
  private static final int PARTITIONS = 3;

  @TempDir Path work;

  @Test
  void storesEveryIdExactlyOnceWhenTheDriverIsKilledAndRestarted() throws Exception {
    int ids = FaultScenario.IDS;
    String topic = "exactly-once-" + System.nanoTime();
    KAFKA.broker().createTopic(topic, PARTITIONS);
    List<String> sent = KafkaBroker.numbered("id", 0, ids);
    String jdbcUrl = "jdbc:h2:file:" + work.resolve("db").resolve("results");
    List<String> args =
        List.of(
            "KafkaExactlyOnce",
            "local[2]",
            topic,
            KAFKA.broker().bootstrapServers(),
            "--jdbc-url",
            jdbcUrl,
            "--batch-interval",
            "1s",
            "--duration",
            "900");
    // A bounded rate spreads the ids over batches, so the kill lands between (or inside)
    // transactions.
    List<String> rate =
        List.of(
            "-Dspark.streaming.kafka.maxRatePerPartition="
                + Math.max(1, FaultScenario.ratePerSecond() / PARTITIONS));
    JobRunner runner = new JobRunner(work);

    KAFKA.broker().produce(topic, sent.subList(0, ids / 2));
    long rowsAtKill;
    try (JavaProcess first =
        runner.start(work.resolve("job-1.log"), rate, args.toArray(String[]::new))) {
      rowsAtKill = awaitRows(first, 1, Duration.ofSeconds(120));
      first.kill();
    }
    // Every batch of the restarted job is later than this: its rows were stored after the kill.
    long killedAtMs = System.currentTimeMillis();
    // The second half arrives while no driver runs.
    KAFKA.broker().produce(topic, sent.subList(ids / 2, ids));
    try (JavaProcess second =
        runner.start(work.resolve("job-2.log"), rate, args.toArray(String[]::new))) {
      try {
        awaitRows(second, ids, FaultScenario.ALL_IDS_TIMEOUT);
      } catch (AssertionError e) {
        // Counted below from the database: a loss must show as numbers, not as a timeout.
        System.out.println(e.getMessage());
      }
      second.stop(Duration.ofSeconds(60));
      // A graceful stop ends with the total, printed after the database was closed. The restarted
      // job starts at
      // the stored offsets, so it never meets a batch that was stored before.
      assertThat(JobRunner.read(second.logFile()))
          .as("log of the restarted job:%n%s", second.logTail(40))
          .anyMatch(line -> line.startsWith("total records="))
          .noneMatch(line -> line.contains("already_stored="));
    }

    Map<String, Long> stored =
        countBy(
            jdbcUrl,
            "SELECT record_value, COUNT(*) FROM "
                + JdbcResultStore.RECORDS
                + " GROUP BY record_value");
    Map<String, Long> words =
        countBy(jdbcUrl, "SELECT word, occurrences FROM " + JdbcResultStore.WORD_COUNTS);
    Map<String, Long> offsets =
        countBy(
            jdbcUrl,
            "SELECT topic || '-' || partition_id, next_offset FROM " + JdbcResultStore.OFFSETS);
    // Counted with hash sets: AssertJ's subset and containment checks are linear per element, too
    // slow for 200k.
    Set<String> expected = new HashSet<>(sent);
    long rows = stored.values().stream().mapToLong(Long::longValue).sum();
    long lost = sent.stream().filter(id -> !stored.containsKey(id)).count();
    long duplicates = rows - stored.size();
    long unexpected = stored.keySet().stream().filter(id -> !expected.contains(id)).count();
    System.out.println(
        "scenario=KafkaExactlyOnce-killDriver sent="
            + ids
            + " distinct="
            + stored.size()
            + " lost="
            + lost
            + " duplicates="
            + duplicates
            + " rows="
            + rows
            + " rows_committed_before_kill="
            + rowsAtKill);

    Map<String, Long> batchTimes =
        countBy(jdbcUrl, "SELECT record_value, batch_time FROM " + JdbcResultStore.RECORDS);
    long firstHalfStoredAfterKill =
        sent.subList(0, ids / 2).stream()
            .filter(id -> batchTimes.getOrDefault(id, 0L) > killedAtMs)
            .count();
    System.out.println(
        "  scenario=KafkaExactlyOnce-killDriver first_half_stored_after_kill="
            + firstHalfStoredAfterKill);
    // Records flowed at the kill: rows were stored before it, and ids of the first half (all sent
    // before it) in batches of the restarted job.
    assertThat(rowsAtKill).as("rows stored before the kill").isPositive();
    assertThat(firstHalfStoredAfterKill)
        .as("ids of the first half stored in batches after the kill")
        .isPositive();
    assertThat(unexpected).as("ids stored that were never sent").isZero();
    assertThat(lost).as("ids lost").isZero();
    assertThat(duplicates).as("ids stored twice").isZero();
    assertThat(rows).isEqualTo(ids);
    assertThat(words.keySet().equals(expected))
        .as("word_counts holds exactly the ids sent (%d words)", words.size())
        .isTrue();
    assertThat(words.values().stream().filter(n -> n != 1L).count())
        .as("words not counted exactly once")
        .isZero();
    assertThat(offsets)
        .as("stored positions: the end of every partition")
        .isEqualTo(endOffsets(topic));
  }

  @Test
  void refusesOptionsThatWouldBypassTheDatabase() {
    String[] job = {"KafkaExactlyOnce", "local[2]", "words", "127.0.0.1:9092"};
    assertRefused(
        job, List.of("--checkpoint-dir", work.resolve("cp").toString()), "keeps no checkpoint");
    assertRefused(
        job,
        List.of("--output-dir", work.resolve("out").toString()),
        "writes its results to the database");
    assertRefused(job, List.of("--jdbc-url", "results.db"), "is not a JDBC URL");
  }

  private static void assertRefused(String[] job, List<String> options, String message) {
    StringWriter err = new StringWriter();
    int exit =
        StreamingJob.commandLine(new Sparking())
            .setErr(new PrintWriter(err, true))
            .execute(
                java.util.stream.Stream.concat(java.util.Arrays.stream(job), options.stream())
                    .toArray(String[]::new));
    assertThat(exit).as("exit for %s; stderr: %s", options, err).isEqualTo(StreamingJob.USAGE);
    assertThat(err.toString()).contains(options.get(0)).contains(message);
  }

  /**
   * Waits until the job's log reports at least {@code rows} rows in the table; returns the rows
   * reported.
   */
  private static long awaitRows(JavaProcess job, long rows, Duration timeout) throws IOException {
    try {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                assertThat(job.isAlive())
                    .as("the job is running; log:%n%s", job.logTail(40))
                    .isTrue();
                return reportedRows(job) >= rows;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "no " + rows + " rows reported within " + timeout + "; log:\n" + job.logTail(40), e);
    }
    return reportedRows(job);
  }

  private static long reportedRows(JavaProcess job) throws IOException {
    long rows = 0;
    for (String line : JobRunner.read(job.logFile())) {
      Matcher m = ROWS.matcher(line);
      if (m.matches()) {
        rows = Math.max(rows, Long.parseLong(m.group(1)));
      }
    }
    return rows;
  }

  /**
   * The two-column result of {@code query} (a text and a number) as a map; the job has stopped, the
   * file is free.
   */
  private static Map<String, Long> countBy(String jdbcUrl, String query) throws SQLException {
    Map<String, Long> result = new HashMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(query)) {
      while (rows.next()) {
        result.put(rows.getString(1), rows.getLong(2));
      }
    }
    return result;
  }

  private static Map<String, Long> endOffsets(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try (Admin admin = KAFKA.broker().admin()) {
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
          .collect(
              Collectors.toMap(
                  e -> e.getKey().topic() + "-" + e.getKey().partition(),
                  e -> e.getValue().offset()));
    }
  }
}
