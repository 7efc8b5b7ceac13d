package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Command lines a job refuses, run through the launcher in this JVM (each fails before Spark
 * starts, so no JVM of its own is needed): the exit code, and a message that names the bad value
 * and says what to pass instead. Runs through a real JVM of the same kind of refusal are in {@link
 * KafkaJobsTest} and {@link FlumeJobsTest}.
 */
@Tag("default-line")
class JobBadInputTest {
  @TempDir Path work;

  /** What a refused run printed and returned. */
  private record Refusal(int exit, String output) {}

  private static Refusal run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = StreamingJob.commandLine(new Sparking());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Refusal(exit, out + err.toString());
  }

  @Test
  void missingArgumentNamesTheParameterAndShowsUsage() {
    Refusal kafka = run("KafkaMultiTopics", "local[2]", "clicks,views");
    assertThat(kafka.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(kafka.output())
        .contains("Missing required parameter: '<bootstrap-servers>'")
        .contains("Usage:");
    Refusal flume = run("FlumeMultiPushBased", "local[2]");
    assertThat(flume.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(flume.output()).contains("Missing required parameter").contains("Usage:");
  }

  @Test
  void surplusArgumentIsNamed() {
    Refusal run = run("FlumeSinglePullBased", "local[2]", "127.0.0.1", "9999", "extra");
    assertThat(run.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(run.output()).contains("Unmatched argument").contains("'extra'");
  }

  @Test
  void unknownJobAndUnknownOptionAreNamed() {
    Refusal job = run("KafkaSingleTopc", "local[2]", "t", "localhost:9092");
    assertThat(job.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(job.output()).contains("KafkaSingleTopc").contains("KafkaSingleTopic");
    Refusal option = run("KafkaSingleTopic", "local[2]", "t", "localhost:9092", "--bogus", "1");
    assertThat(option.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(option.output()).contains("Unknown option").contains("'--bogus'").contains("Usage:");
  }

  @Test
  void unparsableKafkaPortIsNamedWithItsValidRange() {
    Refusal word = run("KafkaSingleTopic", "local[2]", "t", "localhost:90x2");
    assertThat(word.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(word.output())
        .contains(
            "bootstrap.servers=localhost:90x2 is an unparsable port '90x2' in 'localhost:90x2'")
        .contains("1 to 65535");
    Refusal range = run("KafkaDirectTopic", "local[2]", "t", "localhost:0");
    assertThat(range.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(range.output())
        .contains("bootstrap.servers=localhost:0 is port 0 in 'localhost:0', out of range");
  }

  @Test
  void unparsableFlumePortIsNamedWithItsValidRange() {
    Refusal run = run("FlumeMultiPullBased", "local[2]", "127.0.0.1:99x9");
    assertThat(run.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(run.output())
        .contains("port='99x9' (for 127.0.0.1) is not a number: pass 1 to 65535");
  }

  @Test
  void zooKeeperAddressIsRefusedWithTheBrokersToPassInstead() {
    Refusal port = run("KafkaDirectTopic", "local[2]", "t", "zk1:2181,zk2:2181");
    assertThat(port.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(port.output())
        .contains("bootstrap.servers=zk1:2181,zk2:2181 is a ZooKeeper address")
        .contains("bootstrap servers such as localhost:9092");
    Refusal chroot = run("KafkaSingleTopic", "local[2]", "t", "zk1:2182/kafka");
    assertThat(chroot.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(chroot.output()).contains("bootstrap.servers=zk1:2182/kafka is a ZooKeeper address");
  }

  @Test
  void unknownKafkaHostFailsAtOnceNamingTheHost() {
    Refusal run =
        run(
            "KafkaSingleTopic",
            "local[2]",
            "t",
            "no-such-host.invalid:9092",
            "--connect-timeout",
            "5");
    assertThat(run.exit()).isEqualTo(StreamingJob.FAILED);
    assertThat(run.output())
        .contains("Could not reach Kafka at no-such-host.invalid:9092")
        .contains("check the host names");
  }

  @Test
  void negativeKafkaConnectTimeoutIsRefusedAndZeroWhereTheJobCannotSkipTheCheck() {
    Refusal negative =
        run("KafkaSingleTopic", "local[2]", "t", "localhost:9092", "--connect-timeout", "-1");
    assertThat(negative.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(negative.output())
        .contains("--connect-timeout=-1 is negative: pass 0 (no check) or more seconds");
    Refusal zero =
        run("KafkaExactlyOnce", "local[2]", "t", "localhost:9092", "--connect-timeout", "0");
    assertThat(zero.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(zero.output())
        .contains(
            "--connect-timeout=0 is no check, which KafkaExactlyOnce cannot skip (it reads the topics' partitions")
        .contains("pass 1 or more seconds");
  }

  @Test
  void unknownFlumeHostFailsNamingTheHost() {
    Refusal pull =
        run(
            "FlumeSinglePullBased",
            "local[2]",
            "no-such-host.invalid",
            "9999",
            "--connect-timeout",
            "5");
    assertThat(pull.exit()).isEqualTo(StreamingJob.FAILED);
    assertThat(pull.output()).contains("no-such-host.invalid:9999").contains("unknown host");
    Refusal push = run("FlumeSinglePushBased", "local[2]", "no-such-host.invalid", "41414");
    assertThat(push.exit()).isEqualTo(StreamingJob.FAILED);
    assertThat(push.output())
        .contains("cannot listen on no-such-host.invalid:41414")
        .contains("address of this machine");
  }

  @Test
  void zeroNegativeOrUnreadableBatchIntervalIsNamed() {
    Refusal zero =
        run("FlumeSinglePushBased", "local[2]", "127.0.0.1", "41414", "--batch-interval", "0");
    assertThat(zero.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(zero.output())
        .contains("--batch-interval")
        .contains("'0' is not a positive duration");
    Refusal negative =
        run("KafkaSingleTopic", "local[2]", "t", "localhost:9092", "--batch-interval=-2s");
    assertThat(negative.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(negative.output()).contains("'-2s' is not a positive duration");
    Refusal word =
        run("KafkaSingleTopic", "local[2]", "t", "localhost:9092", "--batch-interval", "soon");
    assertThat(word.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(word.output()).contains("'soon' is not a duration: use e.g. 500ms, 2s, 1m");
  }

  @Test
  void tooFewLocalCoresForTheReceiversIsRefused() {
    Refusal run = run("FlumeMultiPushBased", "local[2]", "127.0.0.1:41411,127.0.0.1:41412");
    assertThat(run.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(run.output())
        .contains("master local[2] gives 2 core(s) but the job runs 2 receiver(s)")
        .contains("pass local[3]");
  }

  /**
   * Every job with receivers, in every form of a local master, is refused before Spark starts when
   * no core is left for the batches (the brokers named here are never contacted). Otherwise the
   * receivers take every core and the job hangs, processing nothing.
   */
  @Test
  void everyReceiverJobRefusesALocalMasterThatLeavesNoCoreForBatches() {
    Refusal multi = run("KafkaMultiTopics", "local[2]", "a,b", "127.0.0.1:9092");
    assertThat(multi.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(multi.output())
        .contains("master local[2] gives 2 core(s) but the job runs 2 receiver(s)")
        .contains("pass local[3] or more");

    // local[*] is this machine's processors: as many topics as processors leave none over.
    int processors = Runtime.getRuntime().availableProcessors();
    String topics =
        IntStream.range(0, processors).mapToObj(i -> "t" + i).collect(Collectors.joining(","));
    for (String master : List.of("local[*]", "local[*,3]")) {
      Refusal all = run("KafkaMultiTopics", master, topics, "127.0.0.1:9092");
      assertThat(all.exit()).as(master).isEqualTo(StreamingJob.USAGE);
      assertThat(all.output())
          .contains(
              "master "
                  + master
                  + " gives "
                  + processors
                  + " core(s) (this machine's processors) but the job runs "
                  + processors
                  + " receiver(s)")
          .contains("pass local[" + (processors + 1) + "] or more");
    }

    Refusal single = run("KafkaSingleTopic", "local", "t", "127.0.0.1:9092");
    assertThat(single.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(single.output())
        .contains("master local gives 1 core(s) but the job runs 1 receiver(s)")
        .contains("pass local[2] or more");

    Refusal pull = run("FlumeSinglePullBased", "local[1,4]", "127.0.0.1", "9999");
    assertThat(pull.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(pull.output())
        .contains("master local[1,4] gives 1 core(s) but the job runs 1 receiver(s)");

    Refusal join =
        run("KafkaFlumeJoin", "local[2]", "orders", "127.0.0.1:9092", "127.0.0.1", "9999");
    assertThat(join.exit()).isEqualTo(StreamingJob.USAGE);
    assertThat(join.output())
        .contains("master local[2] gives 2 core(s) but the job runs 2 receiver(s)")
        .contains("pass local[3] or more");
  }

  /**
   * The direct stream has no receivers: one local core is enough, and the run goes on to contact
   * its brokers.
   */
  @Test
  void jobWithoutReceiversRunsOnOneLocalCore() {
    int nothing = FreePorts.next();
    Refusal run =
        run("KafkaDirectTopic", "local", "t", "127.0.0.1:" + nothing, "--connect-timeout", "1");
    assertThat(run.exit()).isEqualTo(StreamingJob.FAILED);
    assertThat(run.output())
        .contains("Could not reach Kafka at 127.0.0.1:" + nothing)
        .doesNotContain("core(s)");
  }

  @Test
  void checkpointDirectoryThatCannotBeCreatedIsNamed() throws Exception {
    // A regular file where a parent directory should be: not writable for any user, root included.
    Path file = Files.writeString(work.resolve("a-file"), "not a directory");
    Path checkpoint = file.resolve("checkpoints");
    Refusal run =
        run(
            "FlumeSinglePushBased",
            "local[2]",
            "127.0.0.1",
            String.valueOf(FreePorts.next()),
            "--checkpoint-dir",
            checkpoint.toString());
    assertThat(run.exit()).isEqualTo(StreamingJob.FAILED);
    assertThat(run.output())
        .contains("Cannot create checkpoint directory " + checkpoint)
        .contains("pass --checkpoint-dir with a writable directory");
  }

  @Test
  void checkpointDirectoryOfAnotherJobIsRefused() throws Exception {
    Path checkpoint = Files.createDirectories(work.resolve("shared-checkpoint"));
    Files.writeString(
        checkpoint.resolve(CheckpointDirectory.OWNER_FILE),
        "KafkaSingleTopic\n",
        StandardCharsets.UTF_8);
    Refusal run =
        run(
            "FlumeSinglePushBased",
            "local[2]",
            "127.0.0.1",
            String.valueOf(FreePorts.next()),
            "--checkpoint-dir",
            checkpoint.toString());
    assertThat(run.exit()).isEqualTo(StreamingJob.FAILED);
    assertThat(run.output())
        .contains("Checkpoint directory " + checkpoint + " belongs to job KafkaSingleTopic")
        .contains("not FlumeSinglePushBased")
        .contains("pass --checkpoint-dir with a directory of this job's own");
    assertThat(Files.readString(checkpoint.resolve(CheckpointDirectory.OWNER_FILE)).trim())
        .as("the other job's mark stays")
        .isEqualTo("KafkaSingleTopic");
  }
}
