package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.jobs.FaultScenario.Result;
import io.sparking.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job stopped gracefully mid-stream (SIGTERM, {@code --duration}, {@code --max-records})
 * processes, in the same run, everything its receivers stored, and its next start, from the same
 * checkpoint or from a new one (a deploy of new code), loses nothing and repeats nothing, counted
 * by id across both runs.
 *
 * <p>For Kafka the stopping run's output is compared with the group's committed offsets at its
 * exit: the ids it processed are exactly the ids below the committed offsets, for the receiver
 * (which commits what it stored) and for the direct stream (whose last batches' offsets the stop
 * commits). For Flume, a restart on a new checkpoint that neither loses nor repeats an id shows
 * that every acknowledged event was processed by the stopping run and every event it processed was
 * acknowledged.
 */
@Tag("default-line")
class GracefulStopTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  /**
   * Half the crash scenarios' rate (all ids in about 20 s, the first half in 10 s), so that a stop
   * that a loaded machine delivers late still lands while the first half streams in.
   */
  private static final int RATE = Math.max(1_000, FaultScenario.IDS / 20);

  /** How long the {@code --duration} run lasts: into the first half, before its end. */
  private static final int DURATION_SECONDS = 7;

  /**
   * A JVM that ends on SIGTERM, after its shutdown hooks ran (our graceful stop among them), exits
   * 128 + 15.
   */
  private static final int EXIT_ON_SIGTERM = 143;

  /**
   * What Spark logs when its own graceful stop closed the driver's write-ahead log before the last
   * allocations.
   */
  private static final List<String> WAL_ERRORS =
      List.of(
          "close() was called on BatchedWriteAheadLog",
          "to the WriteAheadLog",
          "Possibly processed batch");

  /** How the stopped job starts again. */
  private enum Restart {
    SAME_CHECKPOINT,
    NEW_CHECKPOINT
  }

  /** How the first run is stopped. */
  private enum Stop {
    SIGTERM,
    DURATION,
    MAX_RECORDS
  }

  @TempDir Path work;

  @Test
  void kafkaReceiverStoppedBySigtermProcessesWhatItStoredAndANewCheckpointRepeatsNothing()
      throws Exception {
    kafka("KafkaSingleTopic", Stop.SIGTERM, Restart.NEW_CHECKPOINT);
  }

  @Test
  void kafkaReceiverStoppedBySigtermRestartsFromItsCheckpointWithoutRepeats() throws Exception {
    kafka("KafkaSingleTopic", Stop.SIGTERM, Restart.SAME_CHECKPOINT);
  }

  @Test
  void kafkaDirectStoppedBySigtermCommitsWhatItOutputAndANewCheckpointRepeatsNothing()
      throws Exception {
    kafka("KafkaDirectTopic", Stop.SIGTERM, Restart.NEW_CHECKPOINT);
  }

  @Test
  void kafkaDirectStoppedBySigtermRestartsFromItsCheckpointWithoutRerunningItsLastBatch()
      throws Exception {
    kafka("KafkaDirectTopic", Stop.SIGTERM, Restart.SAME_CHECKPOINT);
  }

  @Test
  void flumePullStoppedBySigtermProcessesEveryAckedEventAndANewCheckpointRepeatsNothing()
      throws Exception {
    flume(false, Restart.NEW_CHECKPOINT);
  }

  @Test
  void flumePushStoppedBySigtermProcessesEveryBatchAnsweredOkAndANewCheckpointRepeatsNothing()
      throws Exception {
    flume(true, Restart.NEW_CHECKPOINT);
  }

  /**
   * The job's own stops take the same path as SIGTERM once its wait ends: {@code -Pfaults} runs
   * them.
   */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void kafkaReceiverStoppedByDurationProcessesWhatItStored() throws Exception {
    kafka("KafkaSingleTopic", Stop.DURATION, Restart.NEW_CHECKPOINT);
  }

  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void kafkaReceiverStoppedByMaxRecordsProcessesWhatItStored() throws Exception {
    kafka("KafkaSingleTopic", Stop.MAX_RECORDS, Restart.SAME_CHECKPOINT);
  }

  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void flumePullRestartsFromItsCheckpointWithoutRepeats() throws Exception {
    flume(false, Restart.SAME_CHECKPOINT);
  }

  private void kafka(String job, Stop stop, Restart restart) throws Exception {
    String name = job + "-" + stop.name().toLowerCase() + "-" + restart.name().toLowerCase();
    FaultScenario scenario = FaultScenario.kafka(KAFKA.broker(), name, work, job, RATE);
    if (stop == Stop.DURATION) {
      scenario.firstRunDuration(DURATION_SECONDS);
    } else if (stop == Stop.MAX_RECORDS) {
      scenario.firstRunMaxRecords(FaultScenario.IDS / 4);
    }
    String topic = scenario.kafkaTopic();
    AtomicReference<Set<String>> committedAtStop = new AtomicReference<>();
    AtomicReference<Set<String>> processedBeforeStop = new AtomicReference<>();
    Result result =
        scenario.run(
            s -> {
              stopFirstRun(s, stop);
              processedBeforeStop.set(s.idsSoFar());
              committedAtStop.set(Set.copyOf(KAFKA.broker().committedValues(topic, topic)));
              restart(s, restart);
            });
    Set<String> committed = committedAtStop.get();
    System.out.println(
        "  scenario="
            + name
            + " processed_before_stop="
            + processedBeforeStop.get().size()
            + " committed_at_stop="
            + committed.size()
            + " processed_by_next_start="
            + (result.distinct() - processedBeforeStop.get().size())
            + " duplicates="
            + result.duplicates());
    assertThat(processedBeforeStop.get())
        .as("the stopping run processed a part of the stream, not nothing")
        .isNotEmpty()
        .hasSizeLessThan(result.sent());
    assertThat(processedBeforeStop.get())
        .as("what the stopping run processed is exactly what the group committed")
        .isEqualTo(committed);
    assertNothingLostOrRepeated(result);
  }

  private void flume(boolean push, Restart restart) throws Exception {
    String job = push ? "FlumeSinglePushBased" : "FlumeSinglePullBased";
    String name = job + "-sigterm-" + restart.name().toLowerCase();
    try (FlumeSource flume = push ? FlumeSource.push(work, RATE) : FlumeSource.pull(work, RATE)) {
      AtomicReference<Set<String>> processedBeforeStop = new AtomicReference<>();
      Result result =
          new FaultScenario(
                  name,
                  work,
                  flume::append,
                  List.of(),
                  job,
                  "local[2]",
                  "127.0.0.1",
                  String.valueOf(flume.port()))
              .firstHalfOnceReceiving()
              .run(
                  s -> {
                    stopFirstRun(s, Stop.SIGTERM);
                    processedBeforeStop.set(s.idsSoFar());
                    restart(s, restart);
                  });
      System.out.println(
          "  scenario="
              + name
              + " processed_before_stop="
              + processedBeforeStop.get().size()
              + " processed_by_next_start="
              + (result.distinct() - processedBeforeStop.get().size())
              + " duplicates="
              + result.duplicates());
      assertThat(processedBeforeStop.get())
          .as("the stopping run processed a part of the stream, not nothing")
          .isNotEmpty()
          .hasSizeLessThan(result.sent());
      assertNothingLostOrRepeated(result);
    }
  }

  /**
   * Stops the first run as {@code stop} says and checks it stopped cleanly, draining its receivers.
   */
  private static void stopFirstRun(FaultScenario s, Stop stop) throws Exception {
    int exit =
        stop == Stop.SIGTERM ? s.stopJobGracefully() : s.awaitJobExit(Duration.ofSeconds(120));
    List<String> log = s.jobLog();
    assertThat(exit)
        .as("exit code of the graceful stop; log:%n%s", String.join("\n", log))
        .isEqualTo(stop == Stop.SIGTERM ? EXIT_ON_SIGTERM : StreamingJob.OK);
    assertThat(log)
        .as("the stopping run reports its total")
        .anyMatch(l -> l.startsWith("total records="));
    assertThat(log)
        .as("the graceful stop processed everything stored; log:%n%s", String.join("\n", log))
        .anyMatch(l -> l.contains("Graceful stop:") && l.contains("every stored record processed"));
    for (String error : WAL_ERRORS) {
      assertThat(log).as("no write-ahead-log error at the stop").noneMatch(l -> l.contains(error));
    }
  }

  private static void restart(FaultScenario s, Restart restart) {
    if (restart == Restart.SAME_CHECKPOINT) {
      s.restartJob();
    } else {
      s.restartJobOnNewCheckpoint();
    }
  }

  private static void assertNothingLostOrRepeated(Result result) {
    assertThat(result.unexpected()).as("ids never sent: %s", result).isZero();
    assertThat(result.lost()).as("ids lost: %s", result).isZero();
    assertThat(result.duplicates()).as("ids output twice: %s", result).isZero();
  }
}
