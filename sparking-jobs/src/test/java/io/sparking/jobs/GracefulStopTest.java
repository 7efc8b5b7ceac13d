package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.jobs.FaultScenario.Result;
import io.sparking.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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

  /**
   * One run proves both restarts: stopped, started on a new checkpoint (a deploy of new code),
   * stopped again mid-stream and started from that checkpoint; counted over the three runs. The
   * second stop hits a job that started afresh, as the first does: a job recovered from its
   * checkpoint first works through the batches of its downtime, which the last start does before
   * the stream's end.
   */
  @Test
  void kafkaReceiverStoppedBySigtermRestartsOnANewCheckpointAndThenFromItsOwnWithoutRepeats()
      throws Exception {
    kafka("KafkaSingleTopic", Stop.SIGTERM, Restart.NEW_CHECKPOINT, Restart.SAME_CHECKPOINT);
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

  /**
   * Runs {@code job}, stops its first run as {@code stop} says and starts it again as each of
   * {@code restarts} says in turn. Every restart but the last gets the second half and is stopped
   * by SIGTERM once it output ids of its own, so each stop lands mid-stream. At each stop, what the
   * runs output is exactly what the group committed; over all runs nothing is lost or repeated.
   */
  private void kafka(String job, Stop stop, Restart... restarts) throws Exception {
    StringBuilder name = new StringBuilder(job + "-" + stop.name().toLowerCase());
    for (Restart restart : restarts) {
      name.append('-').append(restart.name().toLowerCase());
    }
    FaultScenario scenario = FaultScenario.kafka(KAFKA.broker(), name.toString(), work, job, RATE);
    if (stop == Stop.DURATION) {
      scenario.firstRunDuration(DURATION_SECONDS);
    } else if (stop == Stop.MAX_RECORDS) {
      scenario.firstRunMaxRecords(FaultScenario.IDS / 4);
    }
    String topic = scenario.kafkaTopic();
    List<Set<String>> processedAtStops = new ArrayList<>();
    List<Set<String>> committedAtStops = new ArrayList<>();
    Result result =
        scenario.run(
            s -> {
              stopRun(s, stop);
              for (int i = 0; ; i++) {
                Set<String> processed = s.idsSoFar();
                processedAtStops.add(processed);
                committedAtStops.add(Set.copyOf(KAFKA.broker().committedValues(topic, topic)));
                restart(s, restarts[i]);
                if (i == restarts.length - 1) {
                  break;
                }
                s.sendRest();
                s.awaitMoreIdsThan(processed.size());
                stopRun(s, Stop.SIGTERM);
              }
            });
    for (int i = 0; i < processedAtStops.size(); i++) {
      Set<String> processed = processedAtStops.get(i);
      System.out.println(
          "  scenario="
              + name
              + " stop="
              + (i + 1)
              + " processed_before_stop="
              + processed.size()
              + " committed_at_stop="
              + committedAtStops.get(i).size()
              + " then="
              + restarts[i].name().toLowerCase());
      assertThat(processed)
          .as("stop %d: the runs so far processed a part of the stream, not nothing", i + 1)
          .hasSizeGreaterThan(i == 0 ? 0 : processedAtStops.get(i - 1).size())
          .hasSizeLessThan(result.sent());
      assertThat(processed)
          .as("stop %d: what the runs so far processed is exactly what the group committed", i + 1)
          .isEqualTo(committedAtStops.get(i));
    }
    System.out.println(
        "  scenario="
            + name
            + " processed_by_last_start="
            + (result.distinct() - processedAtStops.get(processedAtStops.size() - 1).size())
            + " duplicates="
            + result.duplicates());
    assertNothingLostOrRepeated(result);
  }

  private void flume(boolean push, Restart restart) throws Exception {
    String job = push ? "FlumeSinglePushBased" : "FlumeSinglePullBased";
    String name = job + "-sigterm-" + restart.name().toLowerCase();
    try (FlumeSource flume = push ? FlumeSource.push(work, RATE) : FlumeSource.pull(work, RATE)) {
      AtomicReference<Set<String>> processedBeforeStop = new AtomicReference<>();
      AtomicLong fedAtStop = new AtomicLong();
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
                    stopRun(s, Stop.SIGTERM);
                    processedBeforeStop.set(s.idsSoFar());
                    fedAtStop.set(flume.fed());
                    // The pace only makes the stop land mid-stream: past it, what is left piles up
                    // in the agent at once, as it would while a job is down.
                    flume.feedTheRestAtOnce();
                    restart(s, restart);
                  });
      System.out.println(
          "  scenario="
              + name
              + " fed_at_stop="
              + fedAtStop
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
   * Stops the running job as {@code stop} says and checks it stopped cleanly, draining its
   * receivers.
   */
  private static void stopRun(FaultScenario s, Stop stop) throws Exception {
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
