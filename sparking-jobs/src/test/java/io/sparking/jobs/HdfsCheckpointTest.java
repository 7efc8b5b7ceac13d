package io.sparking.jobs;

import static io.sparking.jobs.DriverCrashTest.PULL_BATCHES_IN_FLIGHT_RECORDS;
import static io.sparking.jobs.DriverCrashTest.assertDriverKillRepeatsOnlyWhatItMay;
import static io.sparking.jobs.DriverCrashTest.assertReceiverDriverKillRepeatsOnlyWhatItMay;
import static io.sparking.jobs.DriverCrashTest.assertReceiverReReadsOnlyAfterTheLastCommit;
import static io.sparking.jobs.DriverCrashTest.killDriverAndRestart;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.jobs.FaultScenario.Result;
import io.sparking.jobs.FaultScenario.Snapshot;
import io.sparking.runtime.HadoopCluster;
import io.sparking.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs with their checkpoints and write-ahead logs on HDFS ({@code --checkpoint-dir
 * hdfs://...}), Hadoop's own MiniDFSCluster of three datanodes in a JVM of its own: a driver killed
 * with SIGKILL and started again from the HDFS checkpoint, and datanodes restarted one after the
 * other mid-stream, lose nothing, counted by id, and repeat no more than their guarantee allows
 * (the bounds of {@link DriverCrashTest}). Each scenario also checks that the write-ahead log and
 * the checkpoint files are on HDFS.
 */
@Tag("default-line")
class HdfsCheckpointTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static HadoopCluster hadoop;

  @TempDir Path work;

  @BeforeAll
  static void startHdfs() {
    hadoop = HadoopCluster.start(3);
  }

  @AfterAll
  static void stopHdfs() {
    if (hadoop != null) {
      hadoop.close();
    }
  }

  @Test
  void kafkaReceiverJobLosesNothingWhenTheDriverIsKilledAndRecoversFromHdfs() throws Exception {
    String checkpoint = hadoop.uri("/sparking/KafkaSingleTopic-driverKill");
    FaultScenario scenario =
        FaultScenario.kafka(KAFKA.broker(), "KafkaSingleTopic-hdfs", work, "KafkaSingleTopic")
            .checkpointAt(checkpoint)
            .sparkSettings(hadoop.sparkSettings());
    AtomicReference<Snapshot> atKill = new AtomicReference<>();
    Result result = scenario.run(killDriverAndRestart(atKill));
    assertReceiverDriverKillRepeatsOnlyWhatItMay(scenario, result, atKill.get());
    assertWriteAheadLogAndCheckpointOnHdfs(checkpoint);

    // The marks a local checkpoint directory gets hold on HDFS too: another job, or the same job
    // on other sources, is refused before Spark starts.
    JobRunner runner = new JobRunner(work);
    String brokers = KAFKA.broker().bootstrapServers();
    JobRunner.JobRun otherJob =
        runner.runToEnd(
            "KafkaDirectTopic",
            "local[2]",
            scenario.kafkaTopic(),
            brokers,
            "--checkpoint-dir",
            checkpoint);
    assertThat(otherJob.exit()).as(otherJob.tail()).isEqualTo(StreamingJob.FAILED);
    assertThat(otherJob.output())
        .contains(
            "Checkpoint directory "
                + checkpoint
                + " holds a run of KafkaSingleTopic on other sources: job KafkaSingleTopic there,"
                + " KafkaDirectTopic now");
    JobRunner.JobRun otherTopic =
        runner.runToEnd(
            "KafkaSingleTopic",
            "local[2]",
            "another-topic",
            brokers,
            "--group",
            scenario.kafkaTopic(),
            "--checkpoint-dir",
            checkpoint);
    assertThat(otherTopic.exit()).as(otherTopic.tail()).isEqualTo(StreamingJob.FAILED);
    assertThat(otherTopic.output())
        .contains("Checkpoint directory " + checkpoint + " holds a run of KafkaSingleTopic")
        .contains("another-topic now");
  }

  @Test
  void aDirectoryOnHdfsMarkedByAnotherJobIsRefused() throws Exception {
    String checkpoint = hadoop.uri("/sparking/owned-by-KafkaSingleTopic");
    try (FileSystem fs =
            FileSystem.newInstance(URI.create(hadoop.fileSystemUri()), new Configuration());
        java.io.OutputStream out =
            fs.create(new org.apache.hadoop.fs.Path(checkpoint, CheckpointDirectory.OWNER_FILE))) {
      out.write("KafkaSingleTopic\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    KAFKA.broker().createTopic("hdfs-owner-words", 1);
    JobRunner.JobRun run =
        new JobRunner(work)
            .runToEnd(
                "KafkaDirectTopic",
                "local[2]",
                "hdfs-owner-words",
                KAFKA.broker().bootstrapServers(),
                "--checkpoint-dir",
                checkpoint);
    assertThat(run.exit()).as(run.tail()).isEqualTo(StreamingJob.FAILED);
    assertThat(run.output())
        .contains("Checkpoint directory " + checkpoint + " belongs to job KafkaSingleTopic")
        .contains("pass --checkpoint-dir with a directory of this job's own");
  }

  /**
   * The Kafka scenario's mechanism (write-ahead log and checkpoint on HDFS, recovered after a kill)
   * through the pull receiver: with {@code -Pfaults}, like the other repeats of a mechanism.
   */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void flumePullJobLosesNothingWhenTheDriverIsKilledAndRecoversFromHdfs() throws Exception {
    String checkpoint = hadoop.uri("/sparking/FlumeSinglePullBased-driverKill");
    // Paced, so that the kill lands while the agent is still being fed the first half.
    try (FlumeSource flume = FlumeSource.pull(work, Math.max(300, FaultScenario.IDS / 60))) {
      AtomicLong fedAtKill = new AtomicLong();
      AtomicReference<Snapshot> atKill = new AtomicReference<>();
      FaultScenario scenario =
          new FaultScenario(
                  "FlumeSinglePullBased-hdfs",
                  work,
                  flume::append,
                  List.of(),
                  "FlumeSinglePullBased",
                  "local[2]",
                  "127.0.0.1",
                  String.valueOf(flume.port()))
              .firstHalfOnceReceiving()
              .checkpointAt(checkpoint)
              .sparkSettings(hadoop.sparkSettings());
      Result result =
          scenario.run(
              s -> {
                s.killJob();
                fedAtKill.set(flume.fed());
                flume.feedTheRestAtOnce();
                atKill.set(s.snapshot());
                s.sendRest();
                s.restartJob();
              });
      assertDriverKillRepeatsOnlyWhatItMay(
          scenario,
          result,
          atKill.get(),
          Math.min(fedAtKill.get(), PULL_BATCHES_IN_FLIGHT_RECORDS),
          "the pull receiver's batches in flight at the kill, min(fed at the kill "
              + fedAtKill.get()
              + ", "
              + PULL_BATCHES_IN_FLIGHT_RECORDS
              + ")");
    }
    assertWriteAheadLogAndCheckpointOnHdfs(checkpoint);
  }

  @Test
  void kafkaReceiverJobLosesNothingWhileDatanodesRestartMidStream() throws Exception {
    String checkpoint = hadoop.uri("/sparking/KafkaSingleTopic-datanodeRestart");
    FaultScenario scenario =
        FaultScenario.kafka(KAFKA.broker(), "KafkaSingleTopic-datanodes", work, "KafkaSingleTopic")
            .checkpointAt(checkpoint)
            .sparkSettings(hadoop.sparkSettings());
    AtomicReference<Snapshot> beforeFault = new AtomicReference<>();
    Result result =
        scenario.run(
            s -> {
              beforeFault.set(s.snapshot());
              // Each restart cuts the pipelines of the log files being written; the job, never
              // restarted, keeps writing batches through both.
              hadoop.restartDataNode(0);
              s.awaitMoreBatches(3);
              hadoop.restartDataNode(1);
              s.awaitMoreBatches(3);
            });
    // At least once: a write-ahead-log write that fails with the pipeline makes the receiver
    // restart
    // from the group's committed offsets and read again what it had stored but not committed.
    assertReceiverReReadsOnlyAfterTheLastCommit(scenario, result, beforeFault.get());
    assertWriteAheadLogAndCheckpointOnHdfs(checkpoint);
  }

  /** Spark's checkpoint files and its receivers' write-ahead log files are under {@code uri}. */
  private static void assertWriteAheadLogAndCheckpointOnHdfs(String uri) throws IOException {
    try (FileSystem fs =
        FileSystem.newInstance(URI.create(hadoop.fileSystemUri()), new Configuration())) {
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
      List<String> checkpoints = new ArrayList<>();
      for (FileStatus status : fs.listStatus(root)) {
        if (status.getPath().getName().startsWith("checkpoint-")) {
          checkpoints.add(status.getPath().getName());
        }
      }
      assertThat(checkpoints).as("Spark checkpoint files in %s", uri).isNotEmpty();
      List<String> logFiles = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> files =
          fs.listFiles(new org.apache.hadoop.fs.Path(root, "receivedBlockMetadata"), true);
      while (files.hasNext()) {
        logFiles.add(files.next().getPath().getName());
      }
      RemoteIterator<LocatedFileStatus> data =
          fs.listFiles(new org.apache.hadoop.fs.Path(root, "receivedData"), true);
      while (data.hasNext()) {
        logFiles.add(data.next().getPath().getName());
      }
      assertThat(logFiles)
          .as("write-ahead log files in %s (receivedBlockMetadata, receivedData)", uri)
          .anyMatch(name -> name.startsWith("log-"));
    }
  }
}
