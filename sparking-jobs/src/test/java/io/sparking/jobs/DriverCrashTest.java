package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.PullSettings;
import io.sparking.jobs.FaultScenario.Fault;
import io.sparking.jobs.FaultScenario.Result;
import io.sparking.jobs.FaultScenario.Snapshot;
import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FlumeConfFiles;
import io.sparking.testkit.FailingWriteAheadLog;
import io.sparking.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero data loss under real faults: each job runs in a JVM of its own with {@code --output-dir}, a
 * real process is killed or stopped mid-stream, and every id sent must be in the output files
 * afterwards. Duplicates are counted by id and held to what each mode's guarantee allows (see
 * docs/reliability.md): none counted by batch time for the direct stream, and for the others at
 * most the batches that ran again plus the records its sources can deliver again, a bound each test
 * derives from its own parameters and what the output and the group held at the fault. {@code
 * -Pfaults} sends 200k ids instead of 20k.
 */
@Tag("default-line")
class DriverCrashTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  /**
   * The FlumeSource driver-kill scenarios' feed rate until the kill: the first half in about 30 s.
   * The kill waits for the first batch file, which takes seconds (more on a loaded machine, where a
   * push agent's sink may also back off for a while before it reaches the new receiver), so it
   * lands while the first half is still fed; what is left then goes to the agent at once, as it
   * would pile up in Kafka while a driver is down.
   */
  private static final int FLUME_RATE = Math.max(300, FaultScenario.IDS / 60);

  /**
   * The push agents' avro sink sends one batch of up to {@code batch-size} events at a time and
   * waits for its answer ({@code push-single.properties}; the test leaves {@code FLUME_BATCH_SIZE}
   * unset).
   */
  private static final int PUSH_SINK_BATCH_SIZE = 1000;

  /**
   * The pull receiver's batches the sink may hold open at once: on each of its connections, the
   * batch it is storing and the one whose ack is on the wire ({@code PullConnection} pipelines the
   * ack with the next request), each of up to the batch size it asks for.
   */
  static final long PULL_BATCHES_IN_FLIGHT_RECORDS =
      PullSettings.DEFAULT_CONNECTIONS_PER_AGENT * 2L * PullSettings.DEFAULT_BATCH_SIZE;

  /**
   * What follows the kill: the second half is sent, and the same command starts again from the same
   * checkpoint.
   */
  private static final Fault KILL_DRIVER_AND_RESTART_AFTER_THE_KILL =
      scenario -> {
        // The second half arrives while no driver runs: Kafka keeps it, a FlumeSource agent keeps
        // it in its channel.
        scenario.sendRest();
        scenario.restartJob();
      };

  /**
   * The driver dies (SIGKILL), what the output and the group hold then goes to {@code atKill}, and
   * the same command starts again from the same checkpoint.
   */
  static Fault killDriverAndRestart(AtomicReference<Snapshot> atKill) {
    return scenario -> {
      scenario.killJob();
      atKill.set(scenario.snapshot());
      KILL_DRIVER_AND_RESTART_AFTER_THE_KILL.inject(scenario);
    };
  }

  @TempDir Path work;

  /**
   * The Kafka receiver's driver kill with the checkpoint on local disk: with {@code -Pfaults} (or
   * {@code -Dsparking.faults.all=true}). The default run proves the same job, fault and bounds with
   * the checkpoint and log on HDFS ({@code
   * HdfsCheckpointTest#kafkaReceiverJobLosesNothingWhenTheDriverIsKilledAndRecoversFromHdfs}), and
   * the recovery of a receiver's write-ahead log on local disk after a SIGKILL with the Flume
   * driver kills below.
   */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void kafkaSingleTopicLosesNothingWhenTheDriverIsKilled() throws Exception {
    FaultScenario scenario = kafka("KafkaSingleTopic", "KafkaSingleTopic");
    AtomicReference<Snapshot> atKill = new AtomicReference<>();
    Result result = scenario.run(killDriverAndRestart(atKill));
    assertReceiverDriverKillRepeatsOnlyWhatItMay(scenario, result, atKill.get());
  }

  /**
   * Exactly once per batch through two faults in one run: the driver is killed, and once the same
   * command, started again from the checkpoint, outputs batches, the broker stops and restarts
   * under it. A batch that runs again after the restart reads the offset ranges of its first run,
   * so counted by batch time (a re-run replacing its first run, as a sink keyed by batch time does)
   * nothing is lost and nothing repeated; the outage makes no batch run again (every re-run repeats
   * a batch output before the kill) and repeats no id.
   */
  @Test
  void kafkaDirectTopicLosesNothingWhenTheDriverIsKilledAndThenTheBrokerRestarts()
      throws Exception {
    FaultScenario scenario = kafka("KafkaDirectTopic", "KafkaDirectTopic");
    AtomicReference<Snapshot> atKill = new AtomicReference<>();
    Result result =
        scenario.run(
            s -> {
              killDriverAndRestart(atKill).inject(s);
              // The outage hits the restarted job while it streams, not its start-up (bounded as
              // the
              // first run's first batch file is).
              s.awaitMoreBatches(1, Duration.ofSeconds(120));
              restartTheBrokerUnderARunningDirectStream(s);
            });
    assertDriverKillRepeatsOnlyWhatItMay(
        scenario,
        result,
        atKill.get(),
        0,
        "none: a direct stream's batch that runs again reads its first run's offset ranges");
    int perPartition = FaultScenario.ratePerPartition(FaultScenario.ratePerSecond());
    long perBatch = (long) perPartition * FaultScenario.PARTITIONS;
    assertThat(scenario.largestBatchFile())
        .as(
            "records in one batch file: at most maxRatePerPartition %d x %d partitions x 1 s"
                + " batch interval = %d",
            perPartition, FaultScenario.PARTITIONS, perBatch)
        .isLessThanOrEqualTo(perBatch);
  }

  /**
   * At least once: the job never restarts, so no batch runs twice; the receiver may read again,
   * from the group's committed offsets, records it had stored but not committed when its consumer
   * lost the broker. Every such id is at or after the offsets committed before the stop.
   */
  @Test
  void kafkaSingleTopicLosesNothingWhenTheBrokerStopsAndRestarts() throws Exception {
    FaultScenario scenario = kafka("KafkaSingleTopic-brokerRestart", "KafkaSingleTopic");
    AtomicReference<Snapshot> beforeStop = new AtomicReference<>();
    assertReceiverReReadsOnlyAfterTheLastCommit(
        scenario,
        scenario.run(
            s -> {
              beforeStop.set(s.snapshot());
              KAFKA.broker().stop();
              try {
                // The job keeps running, batch after batch, while its broker is gone.
                s.awaitMoreBatches(3);
              } finally {
                KAFKA.broker().restart();
              }
            }),
        beforeStop.get());
  }

  /**
   * Exactly once: the job never restarts, so no batch runs twice, and a batch reads exact offset
   * ranges. With {@code -Pfaults}: the default run restarts the broker under a running direct
   * stream in {@link #kafkaDirectTopicLosesNothingWhenTheDriverIsKilledAndThenTheBrokerRestarts},
   * where no re-run batch may come from the outage and no id may repeat counted by batch time.
   */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void kafkaDirectTopicLosesNothingWhenTheBrokerStopsAndRestarts() throws Exception {
    FaultScenario scenario = kafka("KafkaDirectTopic-brokerRestart", "KafkaDirectTopic");
    assertExactlyOnceWithoutARestart(
        scenario.run(DriverCrashTest::restartTheBrokerUnderARunningDirectStream));
  }

  /**
   * Stops and restarts the broker; the same job, never restarted, then generates and outputs
   * batches again.
   */
  private static void restartTheBrokerUnderARunningDirectStream(FaultScenario s)
      throws IOException {
    // The direct stream asks the broker for the latest offsets to generate each batch, so while the
    // broker is down no batch is generated: the job waits (up to the consumer's
    // default.api.timeout.ms, 60 s) rather than running on. The outage lasts the broker's own stop
    // and start.
    KAFKA.broker().stop();
    KAFKA.broker().restart();
    s.awaitMoreBatches(3);
  }

  /**
   * The agent is killed twice with SIGKILL, by PID, and restarted on the same directories and port
   * while the pull job keeps running: once before the job starts, with the whole first half in its
   * file channel (nothing else holds those ids any more: the source's saved position is past them),
   * and once mid-stream, while the second half is being read, stored in the channel and pulled. The
   * job's receiver reconnects by itself.
   *
   * <p>At least once: the job never restarts, so no batch runs twice. Duplicates come from the
   * channel (the batches the receiver had taken when the agent died, rolled back and delivered
   * again: at most {@link #PULL_BATCHES_IN_FLIGHT_RECORDS}; the first kill, before the job started,
   * had none) and from the restarted source, which reads again at most the lines after its saved
   * position.
   */
  @Test
  void flumeSinglePullBasedLosesNothingWhenTheAgentIsKilled() throws Exception {
    try (DurableFlume flume = DurableFlume.start(work)) {
      AtomicBoolean crashedWithFullChannel = new AtomicBoolean();
      FaultScenario.Source source =
          ids -> {
            flume.append(ids);
            if (crashedWithFullChannel.compareAndSet(false, true)) {
              flume.awaitSourcePosition(flume.inputSize());
              flume.agent.kill();
              flume.agent.restart();
            }
          };
      FaultScenario scenario =
          new FaultScenario(
              "FlumeSinglePullBased-agentKill",
              work,
              source,
              List.of(),
              "FlumeSinglePullBased",
              "local[2]",
              "127.0.0.1",
              String.valueOf(flume.port()));
      AtomicInteger readAtKill = new AtomicInteger();
      AtomicReference<Snapshot> atKill = new AtomicReference<>();
      Result result =
          scenario.run(
              s -> {
                long firstHalfEnd = flume.inputSize();
                s.sendRest();
                // Kill once the source has put part of the second half into the channel.
                flume.awaitSourcePosition(firstHalfEnd + 1);
                flume.agent.kill();
                atKill.set(s.snapshot());
                List<String> lines = Files.readAllLines(flume.input);
                readAtKill.set(flume.linesBefore(flume.savedPosition()));
                Set<String> outputAtKill = atKill.get().output();
                long readAgainAlreadyOutput =
                    lines.subList(readAtKill.get(), lines.size()).stream()
                        .filter(outputAtKill::contains)
                        .count();
                System.out.println(
                    "  scenario=FlumeSinglePullBased-agentKill lines_in_file="
                        + lines.size()
                        + " source_position_at_kill_lines="
                        + readAtKill
                        + " output_at_kill="
                        + outputAtKill.size()
                        + " lines_after_saved_position="
                        + (lines.size() - readAtKill.get())
                        + " of_which_already_output="
                        + readAgainAlreadyOutput);
                // The receiver noticed: its pull failed and it is trying again.
                s.awaitJobLogLine("Pulling from 127.0.0.1:" + flume.port(), Duration.ofSeconds(60));
                flume.agent.restart();
              });
      // Where the duplicates come from: an id before the saved position can only have come twice
      // out of the
      // channel (a batch the receiver stored but whose ack died with the agent, rolled back and
      // delivered again);
      // one after it may also have been read twice by the restarted source.
      List<String> lines = Files.readAllLines(flume.input);
      Map<String, Integer> counts = scenario.countsSoFar();
      long fromChannel = duplicatesOf(lines.subList(0, readAtKill.get()), counts);
      long afterPosition = duplicatesOf(lines.subList(readAtKill.get(), lines.size()), counts);
      long channelIdsOutputAfterKill =
          scenario.assertRecordsFlowedAt(
              atKill.get(),
              lines.subList(0, readAtKill.get()),
              "the lines the source had put into the channel at the kill");
      long linesAfterSavedPosition = lines.size() - readAtKill.get();
      long bound = PULL_BATCHES_IN_FLIGHT_RECORDS + linesAfterSavedPosition;
      System.out.println(
          "  scenario=FlumeSinglePullBased-agentKill duplicates_before_saved_position="
              + fromChannel
              + " duplicates_after_saved_position="
              + afterPosition
              + " channel_ids_output_after_kill="
              + channelIdsOutputAfterKill
              + " duplicates_bound="
              + bound);
      assertNoLoss(result);
      assertThat(result.rerunFiles())
          .as("batches run twice (the driver never restarted): %s", result)
          .isZero();
      assertThat(result.duplicates())
          .as(
              "duplicates: at most %d, the receiver's batches in flight at the kill (%d: %d"
                  + " connections x 2 batches x %d events) plus the lines after the source's saved"
                  + " position at the kill (%d), which the restarted source may read again; %s",
              bound,
              PULL_BATCHES_IN_FLIGHT_RECORDS,
              PullSettings.DEFAULT_CONNECTIONS_PER_AGENT,
              PullSettings.DEFAULT_BATCH_SIZE,
              linesAfterSavedPosition,
              result.explanation())
          .isLessThanOrEqualTo(bound);
    }
  }

  /**
   * The pull receiver's store fails once mid-stream (a write-ahead-log write fails inside Spark,
   * see {@link FailingWriteAheadLog}): the connection nacks that batch, the sink puts it back into
   * its channel and delivers it again, and the job runs on. The Kafka receiver's failed store runs
   * by default in sparking-kafka's {@code ReceiverRestartTest}; this one runs with {@code -Pfaults}
   * (or {@code -Dsparking.faults.all=true}).
   */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void flumeSinglePullBasedLosesNothingWhenAStoreFails() throws Exception {
    try (FlumeSource flume =
        FlumeSource.start(work, "pull-single.properties", "FLUME_SINK_PORT", false)) {
      Path wal = Files.createDirectories(work.resolve("failing-wal"));
      FaultScenario scenario =
          new FaultScenario(
              "FlumeSinglePullBased-storeFailure",
              work,
              flume::append,
              List.of(
                  "-Dspark.streaming.receiver.writeAheadLog.class="
                      + FailingWriteAheadLog.class.getName(),
                  "-D" + FailingWriteAheadLog.DIR_KEY + "=" + wal,
                  "-D" + FailingWriteAheadLog.FAIL_AT_KEY + "=3"),
              "FlumeSinglePullBased",
              "local[2]",
              "127.0.0.1",
              String.valueOf(flume.port()));
      // The third write fails while the first half streams in; the job logs the nack and goes on.
      Result result =
          scenario.run(
              s ->
                  s.awaitJobLogLine(
                      "nacking it so the sink delivers it again", Duration.ofSeconds(60)));
      assertNoLoss(result);
      // At least once, but neither source of duplicates is at work: the job never restarts (no
      // batch runs twice) and the nacked batch was never stored. Only a stored batch whose ack came
      // after the sink's timeout is delivered again; the job logs each.
      long rolledBack = eventsRolledBackBeforeTheirAck(scenario.allJobLogs());
      System.out.println(
          "  scenario=FlumeSinglePullBased-storeFailure events_rolled_back_before_their_ack="
              + rolledBack);
      assertThat(result.rerunFiles())
          .as("batches run twice (the driver never restarted): %s", result)
          .isZero();
      assertThat(result.duplicates())
          .as(
              "duplicates: at most the events of stored batches the sink had rolled back before"
                  + " their ack came (%d); %s",
              rolledBack, result.explanation())
          .isLessThanOrEqualTo(rolledBack);
    }
  }

  private static final Pattern ROLLED_BACK_BEFORE_ACK =
      Pattern.compile(
          "Batch \\S+ of (\\d+) events from \\S+ was stored, but the sink had rolled it back");

  /** The events of the stored batches that the job logged as rolled back before their ack came. */
  private static long eventsRolledBackBeforeTheirAck(List<String> log) {
    long events = 0;
    for (String line : log) {
      Matcher m = ROLLED_BACK_BEFORE_ACK.matcher(line);
      if (m.find()) {
        events += Long.parseLong(m.group(1));
      }
    }
    return events;
  }

  private static long duplicatesOf(List<String> ids, Map<String, Integer> counts) {
    return ids.stream().mapToLong(id -> Math.max(0, counts.getOrDefault(id, 0) - 1)).sum();
  }

  @Test
  void flumeSinglePullBasedLosesNothingWhenTheDriverIsKilled() throws Exception {
    assertNoLossWhenTheDriverIsKilledMidStream(
        "FlumeSinglePullBased", "pull-single.properties", "FLUME_SINK_PORT", false);
  }

  @Test
  void flumeSinglePushBasedLosesNothingWhenTheDriverIsKilled() throws Exception {
    assertNoLossWhenTheDriverIsKilledMidStream(
        "FlumeSinglePushBased", "push-single.properties", "FLUME_RECEIVER_PORT", true);
  }

  /**
   * Runs {@code job} against one agent of {@code conf/flume/<conf>} whose file is fed at {@link
   * #FLUME_RATE} from the moment the job's receiver runs, kills the driver once the first batch
   * file exists, feeds the rest at once and starts the same command again. The FlumeSource
   * receivers store whatever the agent holds at once (Spark's {@code maxRate} does not reach them),
   * so the feed sets the pace: the kill must land while it still feeds the first half, and part of
   * the first half must reach the output only after the kill. Prints both numbers.
   */
  private void assertNoLossWhenTheDriverIsKilledMidStream(
      String job, String conf, String portKey, boolean push) throws Exception {
    try (FlumeSource flume = FlumeSource.start(work, conf, portKey, push, FLUME_RATE)) {
      FaultScenario scenario =
          new FaultScenario(
                  job,
                  work,
                  flume::append,
                  List.of(),
                  job,
                  "local[2]",
                  "127.0.0.1",
                  String.valueOf(flume.port()))
              .firstHalfOnceReceiving();
      AtomicLong fedAtKill = new AtomicLong();
      AtomicReference<Snapshot> atKill = new AtomicReference<>();
      Result result =
          scenario.run(
              s -> {
                s.killJob();
                fedAtKill.set(flume.fed());
                flume.feedTheRestAtOnce();
                atKill.set(s.snapshot());
                KILL_DRIVER_AND_RESTART_AFTER_THE_KILL.inject(s);
              });
      int firstHalf = FaultScenario.IDS / 2;
      System.out.println(
          "  scenario="
              + job
              + " feed_rate_per_s="
              + FLUME_RATE
              + " first_half="
              + firstHalf
              + " fed_at_kill="
              + fedAtKill);
      assertThat(fedAtKill.get())
          .as("ids fed to the agent when the driver died: the feed was still running")
          .isLessThan(firstHalf);
      // What the agent delivers again: the batches the dead receiver had taken but not answered,
      // no more than the agent had been fed.
      long inFlight = push ? PUSH_SINK_BATCH_SIZE : PULL_BATCHES_IN_FLIGHT_RECORDS;
      assertDriverKillRepeatsOnlyWhatItMay(
          scenario,
          result,
          atKill.get(),
          Math.min(fedAtKill.get(), inFlight),
          "the agent's batches in flight at the kill, min(fed at the kill "
              + fedAtKill.get()
              + ", "
              + (push
                  ? "the avro sink's one batch of " + PUSH_SINK_BATCH_SIZE
                  : PullSettings.DEFAULT_CONNECTIONS_PER_AGENT
                      + " connections x 2 batches x "
                      + PullSettings.DEFAULT_BATCH_SIZE)
              + ")");
    }
  }

  /**
   * A Kafka scenario {@code name} for {@code job} (its own topic of 3 partitions and group),
   * reading at {@link FaultScenario#ratePerSecond()} so that the fault lands mid-stream.
   */
  private FaultScenario kafka(String name, String job) {
    return FaultScenario.kafka(KAFKA.broker(), name, work, job);
  }

  static void assertNoLoss(Result result) {
    assertThat(result.unexpected())
        .as("ids in the output that were never sent: %s", result)
        .isZero();
    assertThat(result.lost()).as("ids lost: %s", result).isZero();
    assertThat(result.distinct()).isEqualTo(result.sent());
  }

  /**
   * A Kafka receiver job (write-ahead log on) whose driver was killed: at least once. Besides the
   * batches that run again, the restarted receiver reads again from the group's committed offsets
   * the records that the dead one had stored but not committed: records the topic held at the kill
   * (the first half), at or after the offsets committed then.
   */
  static void assertReceiverDriverKillRepeatsOnlyWhatItMay(
      FaultScenario scenario, Result result, Snapshot atKill) throws IOException {
    int firstHalf = FaultScenario.IDS / 2;
    scenario.assertDuplicatesAtOrAfterCommittedOffsets(atKill);
    assertDriverKillRepeatsOnlyWhatItMay(
        scenario,
        result,
        atKill,
        firstHalf - atKill.committed(),
        "stored but uncommitted records read again: the first half, all the topic held at the"
            + " kill ("
            + firstHalf
            + "), minus the records below the group's committed offsets then ("
            + atKill.committed()
            + ")");
  }

  /**
   * What a driver kill may cost: nothing lost; the kill landed while records flowed; every batch
   * that ran again repeats one that was output before the kill; counted by batch time (a re-run
   * replacing its first run), at most {@code redelivered} duplicates, the records the source may
   * deliver again ({@code why}); and so in all at most the records of the batches that ran again
   * plus {@code redelivered}. Prints the figures.
   */
  static void assertDriverKillRepeatsOnlyWhatItMay(
      FaultScenario scenario, Result result, Snapshot atKill, long redelivered, String why)
      throws IOException {
    assertNoLoss(result);
    long flowing = scenario.assertRecordsFlowedAt(atKill);
    long rerun = scenario.assertRerunsRepeatBatchesOutputBefore(atKill);
    long bound = rerun + redelivered;
    System.out.println(
        "  scenario="
            + result.name()
            + " output_at_kill="
            + atKill.output().size()
            + (atKill.committedOffsets().isEmpty()
                ? ""
                : " committed_at_kill=" + atKill.committed())
            + " first_half_output_after_kill="
            + flowing
            + " records_of_batches_run_again="
            + rerun
            + " redelivery_bound="
            + redelivered
            + " duplicates_bound="
            + bound);
    assertThat(result.lostByBatchTime())
        .as("ids lost counted by batch time (a re-run replacing its first run): %s", result)
        .isZero();
    assertThat(result.duplicatesByBatchTime())
        .as(
            "duplicates counted by batch time (a re-run replacing its first run): at most %d, %s;"
                + " %s",
            redelivered, why, result.explanation())
        .isLessThanOrEqualTo(redelivered);
    assertThat(result.duplicates())
        .as(
            "duplicates: at most %d, the records of the batches output before the kill that ran"
                + " again (%d) plus %d, %s; %s",
            bound, rerun, redelivered, why, result.explanation())
        .isLessThanOrEqualTo(bound);
  }

  /**
   * A fault that a Kafka receiver job survives without a restart of its driver: nothing lost, no
   * batch run twice, and duplicates only from records read again from the group's committed
   * offsets: ids at or after the offsets committed at {@code beforeFault}, at most the ids sent
   * minus those below them.
   */
  static void assertReceiverReReadsOnlyAfterTheLastCommit(
      FaultScenario scenario, Result result, Snapshot beforeFault) throws IOException {
    assertNoLoss(result);
    assertThat(result.rerunFiles())
        .as("batches run twice (the driver never restarted): %s", result)
        .isZero();
    long duplicatedIds = scenario.assertDuplicatesAtOrAfterCommittedOffsets(beforeFault);
    long bound = result.sent() - beforeFault.committed();
    System.out.println(
        "  scenario="
            + result.name()
            + " committed_before_fault="
            + beforeFault.committed()
            + " duplicated_ids="
            + duplicatedIds
            + " duplicates_bound="
            + bound);
    assertThat(result.duplicates())
        .as(
            "duplicates: at most %d, the records after the group's last commit before the fault:"
                + " ids sent (%d) minus the records below its committed offsets then (%d); %s",
            bound, result.sent(), beforeFault.committed(), result.explanation())
        .isLessThanOrEqualTo(bound);
  }

  /** Exactly once: nothing lost, no batch run twice, no id output twice. */
  static void assertExactlyOnceWithoutARestart(Result result) {
    assertNoLoss(result);
    assertThat(result.rerunFiles())
        .as("batches run twice (the driver never restarted): %s", result)
        .isZero();
    assertThat(result.duplicates()).as("duplicates: %s", result.explanation()).isZero();
  }

  /**
   * One agent of {@code conf/flume/pull-durable.properties} (file channel, our pull sink), with
   * Flume's TAILDIR source in place of the shipped exec source, data under {@code work}, so a
   * killed agent restarts on the same channel, position file and port.
   *
   * <p>Why TAILDIR: the scenario must count only what Sparking could lose or duplicate, so the
   * agent's source must itself lose nothing across a kill. An exec {@code tail -F} keeps no
   * position: restarted, it reads the file again from the top ({@code -n +1}, every id twice) or
   * from its end (the lines read but not yet in the channel lost). TAILDIR saves the offset of what
   * it committed to the channel in a position file; restarted, it resumes there. The file is
   * written every {@code writePosInterval} (500 ms here, 3 s by default), so the lines read since
   * the last write are read again: duplicates from the source, which the scenario prints apart (the
   * lines after the saved position that were already output). A spooling-directory source would
   * also keep its position, but needs the ids in whole files dropped into a directory, not appended
   * to one.
   */
  private static final class DurableFlume implements AutoCloseable {
    private static final Pattern POSITION = Pattern.compile("\"pos\"\\s*:\\s*(\\d+)");
    final FlumeAgent agent;
    final Path input;
    final Path positionFile;

    private DurableFlume(FlumeAgent agent, Path input, Path positionFile) {
      this.agent = agent;
      this.input = input;
      this.positionFile = positionFile;
    }

    static DurableFlume start(Path work) throws IOException {
      Path input = Files.createFile(work.resolve("flume-durable-input.log"));
      Path data = Files.createDirectories(work.resolve("flume-durable-data"));
      String shipped = FlumeConfFiles.text("pull-durable.properties");
      String execSource =
          String.join(
              "\n",
              "agent.sources.tail.type = exec",
              "agent.sources.tail.command = tail -n +1 -F ${FLUME_INPUT_FILE}",
              "agent.sources.tail.restart = true",
              "agent.sources.tail.batchSize = 1000",
              "agent.sources.tail.batchTimeout = 200");
      String taildirSource =
          String.join(
              "\n",
              "agent.sources.tail.type = TAILDIR",
              "agent.sources.tail.filegroups = input",
              "agent.sources.tail.filegroups.input = ${FLUME_INPUT_FILE}",
              "agent.sources.tail.positionFile = ${FLUME_DATA_DIR}/taildir-position.json",
              "agent.sources.tail.writePosInterval = 500",
              "agent.sources.tail.batchSize = 1000");
      assertThat(shipped)
          .as("conf/flume/pull-durable.properties with the exec source this test replaces")
          .contains(execSource)
          .contains("spark.timeout = 60");
      String conf =
          shipped
              .replace(execSource, taildirSource)
              // Batches a dying receiver had taken return to the channel within the test's time (as
              // in FlumeSource below).
              .replace("spark.timeout = 60", "spark.timeout = 10");
      FlumeAgent agent =
          FlumeAgent.builder()
              .name("agent")
              .configuration(conf)
              .placeholder("FLUME_INPUT_FILE", input)
              .placeholder("FLUME_DATA_DIR", data)
              .listenPort("FLUME_SINK_PORT")
              .start();
      return new DurableFlume(agent, input, data.resolve("taildir-position.json"));
    }

    int port() {
      return agent.port("FLUME_SINK_PORT");
    }

    void append(List<String> ids) throws IOException {
      Files.write(input, ids, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    long inputSize() throws IOException {
      return Files.size(input);
    }

    /**
     * The byte offset up to which the source has committed the file to the channel, as last saved;
     * 0 before.
     */
    long savedPosition() {
      try {
        Matcher m =
            POSITION.matcher(Files.exists(positionFile) ? Files.readString(positionFile) : "");
        return m.find() ? Long.parseLong(m.group(1)) : 0;
      } catch (IOException | RuntimeException e) {
        // Being rewritten at this moment: the next look sees it whole.
        return 0;
      }
    }

    /**
     * Waits until the saved position reaches {@code bytes}: everything before it is in the channel.
     */
    void awaitSourcePosition(long bytes) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> savedPosition() >= bytes);
    }

    /** How many whole lines the first {@code bytes} of the input hold (ids are ASCII). */
    int linesBefore(long bytes) throws IOException {
      byte[] content = Files.readAllBytes(input);
      int lines = 0;
      for (int i = 0; i < Math.min(bytes, content.length); i++) {
        if (content[i] == '\n') {
          lines++;
        }
      }
      return lines;
    }

    @Override
    public void close() {
      agent.close();
    }
  }
}
