package io.sparking.flume.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.JvmFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once end to end under SIGKILL: ids go to a real agent, a query pulls them into Spark's
 * file sink, a process dies mid-stream, and the ids the file sink committed are counted: none may
 * be missing, and (for a killed query) none may be there twice.
 */
class CrashTest {
  private static final int IDS = Integer.getInteger("sparking.faults.ids", 20_000);
  private static final int WINDOW_KILLS = 3;
  private static final int AGENT_KILL_BATCH = 100;

  /** Push mode drops copies by id, not by position: fewer ids prove it as well. */
  private static final int PUSH_IDS = Math.max(300, IDS / 4);

  private static final int PUSH_WINDOW_KILLS = 2;
  private static final String LISTENING = "Listening for Flume's avro sink";

  @TempDir Path work;

  /**
   * The query's JVM is killed with SIGKILL once its first batch is committed, while ids still
   * arrive, and the same query starts again from the same checkpoint: what it had logged and
   * acknowledged is read again from its log, what it had taken but not logged the agent delivers
   * again, and the file sink commits each batch once.
   */
  @Test
  void aKilledQueryRestartedFromItsCheckpointWritesEveryIdExactlyOnce() throws Exception {
    Path checkpoint = work.resolve("checkpoint");
    Path output = work.resolve("out");
    List<String> ids = TestAgents.ids("id", 0, IDS);
    try (FlumeAgent agent = TestAgents.sparkingPullSink()) {
      String agents = "127.0.0.1:" + agent.port(TestAgents.SINK_PORT);
      Thread feeder;
      long committedAtKill;
      try (JavaProcess first = query(agents, checkpoint, output, "first")) {
        // Fed once the query pulls, over about 20 s, so that the kill lands mid-stream.
        awaitOrShow(
            first,
            Duration.ofSeconds(120),
            () -> first.logTail(200).contains("Pulling from 1 agent(s)") || !first.isAlive());
        feeder = pacedFeed(agent, ids, IDS / 20);
        awaitOrShow(
            first, Duration.ofSeconds(120), () -> !count(output).isEmpty() || !first.isAlive());
        assertThat(first.isAlive()).as(first.logTail(40)).isTrue();
        first.kill();
        first.waitFor(Duration.ofSeconds(30));
        committedAtKill = count(output).values().stream().mapToLong(n -> n).sum();
      }
      try (JavaProcess second = query(agents, checkpoint, output, "second")) {
        awaitOrShow(
            second,
            Duration.ofSeconds(180),
            () -> count(output).size() == IDS || !second.isAlive());
        feeder.join(60_000);
        Map<String, Integer> counts = count(output);
        long lost = lost(ids, counts);
        long duplicates = duplicates(counts);
        System.out.println(
            "scenario=flume-sql-query-kill sent="
                + IDS
                + " committed_at_kill="
                + committedAtKill
                + " distinct="
                + counts.size()
                + " lost="
                + lost
                + " duplicates="
                + duplicates);
        assertThat(committedAtKill).isBetween(1L, IDS - 1L);
        assertThat(lost).as(second.logTail(40)).isZero();
        assertThat(duplicates).isZero();
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      }
    }
  }

  /**
   * The query's JVM is killed with SIGKILL {@value #WINDOW_KILLS} times while batches sit in its
   * log but are not yet acknowledged to the sink: the log's sync is held just after the data is
   * durable ({@link HoldingFileSystem}), and the kill lands in that hold. The sink's timeout (3 s)
   * passes before the query is back, so the agent delivers those batches again; the restarted query
   * asks the sink how each batch it logged but never heard settled ended, drops the rolled-back
   * ones, and the file sink gets every id exactly once.
   */
  @Test
  @Tag("every-line")
  void aQueryKilledBetweenLoggingABatchAndItsAckWritesEveryIdExactlyOnce() throws Exception {
    Path checkpoint = work.resolve("checkpoint");
    Path output = work.resolve("out");
    Path trigger = work.resolve("hold-next-sync");
    List<String> ids = TestAgents.ids("w", 0, IDS);
    List<Integer> committedAtKills = new ArrayList<>();
    List<Thread> feeders = new ArrayList<>();
    // Each run gets its share of the ids while it runs, so batches are in flight at each kill.
    int share = IDS / (WINDOW_KILLS + 1);
    try (FlumeAgent agent = TestAgents.sparkingPullSink(3)) {
      String agents = "127.0.0.1:" + agent.port(TestAgents.SINK_PORT);
      for (int kill = 0; kill < WINDOW_KILLS; kill++) {
        try (JavaProcess query = query(agents, checkpoint, output, "run-" + kill, trigger)) {
          awaitOrShow(
              query,
              Duration.ofSeconds(120),
              () -> query.logTail(200).contains("Pulling from 1 agent(s)") || !query.isAlive());
          int before = count(output).size();
          feeders.add(pacedFeed(agent, ids.subList(kill * share, (kill + 1) * share), share / 20));
          // Records flow in this run before its kill.
          awaitOrShow(
              query,
              Duration.ofSeconds(120),
              () -> count(output).size() > before || !query.isAlive());
          Files.createFile(trigger);
          awaitOrShow(
              query,
              Duration.ofSeconds(60),
              () -> query.logTail(400).contains(HoldingFileSystem.HOLDING) || !query.isAlive());
          assertThat(query.isAlive()).as(query.logTail(40)).isTrue();
          query.kill();
          query.waitFor(Duration.ofSeconds(30));
          committedAtKills.add(count(output).size());
        }
      }
      try (JavaProcess last = query(agents, checkpoint, output, "last", trigger)) {
        feeders.add(pacedFeed(agent, ids.subList(WINDOW_KILLS * share, IDS), share / 5));
        awaitOrShow(
            last, Duration.ofSeconds(240), () -> count(output).size() == IDS || !last.isAlive());
        for (Thread feeder : feeders) {
          feeder.join(60_000);
        }
        Map<String, Integer> counts = count(output);
        long lost = lost(ids, counts);
        long duplicates = duplicates(counts);
        long rolledBack = droppedOnRecovery();
        System.out.println(
            "scenario=flume-sql-kill-between-log-and-ack sent="
                + IDS
                + " kills="
                + WINDOW_KILLS
                + " committed_at_kills="
                + committedAtKills
                + " logged_batches_found_rolled_back="
                + rolledBack
                + " distinct="
                + counts.size()
                + " lost="
                + lost
                + " duplicates="
                + duplicates);
        // Each kill landed mid-stream: more was committed before it than before the one earlier.
        assertThat(committedAtKills).isSorted().doesNotHaveDuplicates();
        assertThat(committedAtKills.get(WINDOW_KILLS - 1)).isLessThan(IDS);
        // The window was hit: batches in the log had rolled back on the sink by the restart.
        assertThat(rolledBack).as("batches found rolled back on recovery").isPositive();
        assertThat(lost).as(last.logTail(40)).isZero();
        assertThat(duplicates).isZero();
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      }
    }
  }

  /**
   * Push mode with {@code eventIdHeader}: the agent stamps ids ({@code EventIdInterceptor}), and
   * the query's JVM is killed with SIGKILL {@value #PUSH_WINDOW_KILLS} times while a pushed batch
   * sits synced in its log but unanswered ({@link HoldingFileSystem}). The avro sink's call fails
   * with the connection, it rolls the batch back and sends it again to the restarted query, which
   * has the batch from its log already: it drops the copies by id, and the file sink gets every id
   * exactly once. On the default line only: dropping by id is the source's own code, the same on
   * every Spark line, whose recovery the pull-mode window test runs on every line.
   */
  @Test
  void aPushQueryKilledBetweenLoggingABatchAndItsAnswerWritesEveryIdExactlyOnce() throws Exception {
    Path checkpoint = work.resolve("checkpoint");
    Path output = work.resolve("out");
    Path trigger = work.resolve("hold-next-sync");
    List<String> ids = TestAgents.ids("pw", 0, PUSH_IDS);
    List<Integer> committedAtKills = new ArrayList<>();
    List<Thread> feeders = new ArrayList<>();
    int share = PUSH_IDS / (PUSH_WINDOW_KILLS + 1);
    try (FlumeAgent agent = TestAgents.avroSinkWithIds(null, 3000)) {
      String endpoint = "push:" + agent.port(TestAgents.RECEIVER_PORT);
      for (int kill = 0; kill < PUSH_WINDOW_KILLS; kill++) {
        try (JavaProcess query = query(endpoint, checkpoint, output, "push-" + kill, trigger)) {
          awaitOrShow(
              query,
              Duration.ofSeconds(120),
              () -> query.logTail(200).contains(LISTENING) || !query.isAlive());
          int before = count(output).size();
          feeders.add(pacedFeed(agent, ids.subList(kill * share, (kill + 1) * share), share / 20));
          // Records flow in this run before its kill.
          awaitOrShow(
              query,
              Duration.ofSeconds(120),
              () -> count(output).size() > before || !query.isAlive());
          Files.createFile(trigger);
          awaitOrShow(
              query,
              Duration.ofSeconds(60),
              () -> query.logTail(400).contains(HoldingFileSystem.HOLDING) || !query.isAlive());
          assertThat(query.isAlive()).as(query.logTail(40)).isTrue();
          query.kill();
          query.waitFor(Duration.ofSeconds(30));
          committedAtKills.add(count(output).size());
        }
      }
      try (JavaProcess last = query(endpoint, checkpoint, output, "push-last", trigger)) {
        feeders.add(pacedFeed(agent, ids.subList(PUSH_WINDOW_KILLS * share, PUSH_IDS), share / 5));
        awaitOrShow(
            last,
            Duration.ofSeconds(240),
            () -> count(output).size() == PUSH_IDS || !last.isAlive());
        for (Thread feeder : feeders) {
          feeder.join(60_000);
        }
        Map<String, Integer> counts = count(output);
        long lost = lost(ids, counts);
        long duplicates = duplicates(counts);
        long sentAgain = droppedAsSentAgain();
        System.out.println(
            "scenario=flume-sql-push-kill-between-log-and-answer sent="
                + PUSH_IDS
                + " kills="
                + PUSH_WINDOW_KILLS
                + " committed_at_kills="
                + committedAtKills
                + " copies_dropped_by_id="
                + sentAgain
                + " distinct="
                + counts.size()
                + " lost="
                + lost
                + " duplicates="
                + duplicates);
        assertThat(committedAtKills).isSorted().doesNotHaveDuplicates();
        assertThat(committedAtKills.get(PUSH_WINDOW_KILLS - 1)).isLessThan(PUSH_IDS);
        // The window was hit: the avro sink sent batches again that the restarted query had logged.
        assertThat(sentAgain).as("events sent again and dropped by id").isPositive();
        assertThat(lost).as(last.logTail(40)).isZero();
        assertThat(duplicates).isZero();
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      }
    }
  }

  /**
   * Push mode with {@code eventIdHeader}: the agent (ids stamped by {@code EventIdInterceptor}, a
   * file channel) is killed with SIGKILL while the avro sink waits for the answer to a batch the
   * query has synced into its log (the sync held by {@link HoldingFileSystem}), and restarted on
   * the same directories and port. Its channel never committed that batch, so it delivers it again;
   * the query, never stopped, drops the copies by id, and the file sink gets every id exactly once.
   * The ids are fed in three parts, each taken whole by the agent before the next step, so the feed
   * itself never sends anything twice.
   */
  @Test
  void aPushAgentKilledMidStreamWritesEveryIdExactlyOnce() throws Exception {
    Path output = work.resolve("out");
    Path trigger = work.resolve("hold-next-sync");
    List<String> ids = TestAgents.ids("pa", 0, PUSH_IDS);
    int third = PUSH_IDS / 3;
    try (FlumeAgent agent = TestAgents.avroSinkWithIds(work.resolve("channel"), 60_000);
        JavaProcess query =
            query(
                "push:" + agent.port(TestAgents.RECEIVER_PORT),
                work.resolve("checkpoint"),
                output,
                "push-agent-kill",
                trigger)) {
      awaitOrShow(
          query,
          Duration.ofSeconds(120),
          () -> query.logTail(200).contains(LISTENING) || !query.isAlive());
      TestAgents.feed(agent, ids.subList(0, third));
      awaitOrShow(
          query, Duration.ofSeconds(120), () -> !count(output).isEmpty() || !query.isAlive());
      Files.createFile(trigger);
      TestAgents.feed(agent, ids.subList(third, 2 * third));
      awaitOrShow(
          query,
          Duration.ofSeconds(60),
          () -> query.logTail(400).contains(HoldingFileSystem.HOLDING) || !query.isAlive());
      int atKill = count(output).size();
      agent.kill();
      agent.restart();
      Files.createFile(Path.of(trigger + ".release"));
      TestAgents.feed(agent, ids.subList(2 * third, PUSH_IDS));
      awaitOrShow(
          query,
          Duration.ofSeconds(180),
          () -> count(output).size() == PUSH_IDS || !query.isAlive());
      Map<String, Integer> counts = count(output);
      long lost = lost(ids, counts);
      long duplicates = duplicates(counts);
      long sentAgain = droppedAsSentAgain();
      System.out.println(
          "scenario=flume-sql-push-agent-kill sent="
              + PUSH_IDS
              + " output_at_kill="
              + atKill
              + " copies_dropped_by_id="
              + sentAgain
              + " distinct="
              + counts.size()
              + " lost="
              + lost
              + " duplicates="
              + duplicates);
      assertThat(atKill).isPositive().isLessThan(PUSH_IDS);
      // The kill landed with a batch taken from the channel but not committed: it came again.
      assertThat(sentAgain).as("events delivered again and dropped by id").isPositive();
      assertThat(lost).as(query.logTail(40)).isZero();
      assertThat(duplicates).isZero();
      assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  /** Pushed events the queries dropped as copies of ones logged, from their logs. */
  private long droppedAsSentAgain() throws IOException {
    return sumOfLogMatches(Pattern.compile("Dropped (\\d+) of \\d+ pushed event"));
  }

  /**
   * Batches the restarted queries found rolled back and dropped, from their logs' recovery lines.
   */
  private long droppedOnRecovery() throws IOException {
    return sumOfLogMatches(
        Pattern.compile("in (\\d+) batch\\(es\\) whose transaction rolled back"));
  }

  /** The sum of the first group of {@code pattern} over every match in the queries' logs. */
  private long sumOfLogMatches(Pattern pattern) throws IOException {
    long sum = 0;
    try (Stream<Path> logs = Files.list(work)) {
      for (Path log : logs.filter(f -> f.getFileName().toString().startsWith("query-")).toList()) {
        Matcher m = pattern.matcher(Files.readString(log));
        while (m.find()) {
          sum += Long.parseLong(m.group(1));
        }
      }
    }
    return sum;
  }

  /**
   * The agent (a file channel) is killed with SIGKILL mid-stream and restarted on the same
   * directories and port; the query, never stopped, reconnects by itself. Nothing the agent
   * accepted is lost. At least once, not exactly once: a batch the source logged but whose ack died
   * with the agent is kept (the restarted sink cannot tell how it ended) and may come again, at
   * most one batch per connection; and the feeder sends again a chunk whose answer died with the
   * agent, which the agent may already have taken. The duplicates are asserted within those two
   * bounds.
   */
  @Test
  void anAgentKilledMidStreamLosesNothing() throws Exception {
    SparkSession spark = SparkSessions.local();
    Path output = work.resolve("out");
    List<String> ids = TestAgents.ids("fc", 0, IDS);
    try (FlumeAgent agent = TestAgents.sparkingPullSinkOnFileChannel(work.resolve("channel"))) {
      StreamingQuery query =
          spark
              .readStream()
              .format("flume")
              .option("mode", "pull")
              .option("agents", "127.0.0.1:" + agent.port(TestAgents.SINK_PORT))
              .option("connectionsPerAgent", "1")
              .option("batchSize", String.valueOf(AGENT_KILL_BATCH))
              .option("callTimeout", "5s")
              .option("reconnectBackoff", "200ms")
              .load()
              .selectExpr("CAST(body AS STRING)")
              .writeStream()
              .format("text")
              .option("path", output.toString())
              .option("checkpointLocation", work.resolve("checkpoint").toString())
              .trigger(Trigger.ProcessingTime(500))
              .start();
      Thread feeder = pacedFeed(agent, ids, IDS / 10);
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> !count(output).isEmpty() || query.exception().isDefined());
        agent.kill();
        int atKill = count(output).size();
        agent.restart();
        await()
            .atMost(Duration.ofSeconds(180))
            .until(() -> count(output).size() == IDS || query.exception().isDefined());
        Map<String, Integer> counts = count(output);
        long lost = lost(ids, counts);
        long duplicates = duplicates(counts);
        System.out.println(
            "scenario=flume-sql-agent-kill sent="
                + IDS
                + " output_at_kill="
                + atKill
                + " distinct="
                + counts.size()
                + " lost="
                + lost
                + " duplicates="
                + duplicates);
        feeder.join(60_000);
        assertThat(atKill).isPositive().isLessThan(IDS);
        assertThat(lost).isZero();
        assertThat(duplicates)
            .as("at most one batch per connection and one re-sent feed chunk")
            .isLessThanOrEqualTo(AGENT_KILL_BATCH + feedChunk(IDS / 10));
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      } finally {
        query.stop();
      }
    }
  }

  private JavaProcess query(String agents, Path checkpoint, Path output, String run) {
    return query(run, List.of(agents, checkpoint.toString(), output.toString()));
  }

  /** A query whose checkpoint is on the {@link HoldingFileSystem}, held by {@code trigger}. */
  private JavaProcess query(String agents, Path checkpoint, Path output, String run, Path trigger) {
    return query(
        run, List.of(agents, checkpoint.toString(), output.toString(), trigger.toString()));
  }

  private JavaProcess query(String run, List<String> args) {
    return JavaProcess.start(
        "FileSinkQuery-" + run,
        JvmFlags.forLocalJob(),
        System.getProperty("java.class.path"),
        FileSinkQuery.class.getName(),
        args,
        work,
        work.resolve("query-" + run + ".log"));
  }

  /** Waits for {@code done}; a timeout fails with the tail of the query's log. */
  private static void awaitOrShow(
      JavaProcess query, Duration timeout, java.util.concurrent.Callable<Boolean> done) {
    try {
      await().atMost(timeout).until(done);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; query log:\n" + query.logTail(80), e);
    }
  }

  private static Map<String, Integer> count(Path output) {
    return SparkSessions.committedCounts(SparkSessions.local(), output);
  }

  /** Ids sent but not in {@code counts}. */
  private static long lost(List<String> ids, Map<String, Integer> counts) {
    return ids.stream().filter(id -> !counts.containsKey(id)).count();
  }

  /** Copies beyond the first of each id in {@code counts}. */
  private static long duplicates(Map<String, Integer> counts) {
    return counts.values().stream().mapToLong(n -> n - 1).sum();
  }

  /** How many ids {@link #pacedFeed} sends at once. */
  private static int feedChunk(int perSecond) {
    return Math.max(1, perSecond / 10);
  }

  /**
   * Sends {@code ids} to the agent at about {@code perSecond}, in a thread of its own; a chunk the
   * agent did not take (it is down) goes again until it does.
   */
  private static Thread pacedFeed(FlumeAgent agent, List<String> ids, int perSecond) {
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread feeder =
        new Thread(
            () -> {
              try {
                int chunk = feedChunk(perSecond);
                for (int i = 0; i < ids.size(); ) {
                  try {
                    TestAgents.feed(agent, ids.subList(i, Math.min(ids.size(), i + chunk)));
                    i += chunk;
                  } catch (org.apache.flume.EventDeliveryException
                      | org.apache.flume.FlumeException e) {
                    // The agent is down (killed by the test): the same chunk again once it is back.
                  }
                  Thread.sleep(100);
                }
              } catch (Exception e) {
                failure.set(e);
              }
            },
            "paced-feed");
    feeder.setDaemon(true);
    feeder.start();
    return feeder;
  }
}
