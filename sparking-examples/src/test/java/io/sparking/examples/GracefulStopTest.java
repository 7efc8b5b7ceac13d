package io.sparking.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.examples.FaultScenario.Result;
import io.sparking.testkit.KafkaBroker.Position;
import io.sparking.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job stopped gracefully mid-stream (SIGTERM, or the end of {@code --duration}) and started again from its
 * checkpoint loses nothing, counted by id; each scenario prints how many ids the stopping run processed, how many
 * it had received (its offsets committed at the stop) and how many the next start processed.
 *
 * <p>What "received" means differs per mode, and the assertions say it exactly:
 * <ul>
 *   <li>Receiver with write-ahead log: a record is received once its block is stored (written ahead); the
 *       receiver commits exactly the stored offsets when it stops. Whatever the stopping run did not process of
 *       those is processed by the next start, from the log: Spark 3.5 closes the driver's log before allocating
 *       the last blocks to a batch. Such records cannot come from Kafka again, as their offsets are committed.
 *   <li>Direct stream: a record is received once it is in a generated batch's offset range; the graceful stop
 *       runs every generated batch, so the stopping run outputs all of them. Its last commit is only queued (the
 *       connector sends commits with the next batch), so the group's offsets may trail the output by a batch; a
 *       restart from the checkpoint resumes from the checkpointed ranges, not from the group's offsets.
 * </ul>
 */
class GracefulStopTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  /**
   * Half the crash scenarios' rate (all ids in about 20 s, the first half in 10 s), so that a stop that a loaded
   * machine delivers late still lands while the first half streams in.
   */
  private static final int RATE = Math.max(1_000, FaultScenario.IDS / 20);
  /** How long the {@code --duration} run lasts: into the first half, before its end. */
  private static final int DURATION_SECONDS = 7;
  /** A JVM that ends on SIGTERM, after its shutdown hooks ran (our graceful stop among them), exits 128 + 15. */
  private static final int EXIT_ON_SIGTERM = 143;

  @TempDir Path work;

  @Test
  void kafkaSingleTopicStoppedBySigtermProcessesEverythingItReceivedAfterARestart() throws Exception {
    Split split = stopAndRestart(FaultScenario.kafka(KAFKA.broker(), "KafkaSingleTopic-sigterm", work,
        "KafkaSingleTopic", RATE), false);
    split.assertReceiverGuarantee();
  }

  /**
   * The job's own stop after {@code --duration} takes the same path as SIGTERM once its wait ends, so the default
   * build leaves it to {@code -Pfaults} (or {@code -Dsparking.faults.all=true}) to stay short.
   */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void kafkaSingleTopicStoppedByDurationProcessesEverythingItReceivedAfterARestart() throws Exception {
    Split split = stopAndRestart(FaultScenario.kafka(KAFKA.broker(), "KafkaSingleTopic-duration", work,
        "KafkaSingleTopic", RATE).firstRunDuration(DURATION_SECONDS), true);
    split.assertReceiverGuarantee();
  }

  @Test
  void kafkaDirectTopicStoppedBySigtermOutputsEveryGeneratedBatchBeforeItExits() throws Exception {
    Split split = stopAndRestart(FaultScenario.kafka(KAFKA.broker(), "KafkaDirectTopic-sigterm", work,
        "KafkaDirectTopic", RATE), false);
    split.assertDirectGuarantee();
  }

  /**
   * Runs {@code scenario}: the job is stopped gracefully (SIGTERM, or by itself when {@code byDuration}) while the
   * first half of the ids streams in, the second half is sent, the same command starts again from the checkpoint.
   */
  private Split stopAndRestart(FaultScenario scenario, boolean byDuration) throws Exception {
    Split split = new Split(scenario.kafkaTopic());
    Result result = scenario.run(s -> {
      int exit = byDuration ? s.awaitJobExit(Duration.ofSeconds(120)) : s.stopJobGracefully();
      assertThat(exit).as("exit code of the graceful stop; log:%n%s", String.join("\n", s.jobLog()))
          .isEqualTo(byDuration ? StreamingJob.OK : EXIT_ON_SIGTERM);
      assertThat(s.jobLog()).as("the stopping run reports its total").anyMatch(l -> l.startsWith("total records="));
      split.outputBeforeStop = s.idsSoFar();
      split.committedAtStop = KAFKA.broker().committedOffsets(split.topic);
      s.sendRest();
      s.restartJob();
    });
    split.result = result;
    split.positions = KAFKA.broker().positionsOfValues(split.topic, result.sent());
    split.print();
    assertThat(result.unexpected()).as("ids never sent: %s", result).isZero();
    assertThat(result.lost()).as("ids lost: %s", result).isZero();
    return split;
  }

  /** What the stopping run output and had received, and what the next start added. */
  private static final class Split {
    final String topic;
    Result result;
    Set<String> outputBeforeStop;
    Map<TopicPartition, Long> committedAtStop;
    Map<String, Position> positions;

    Split(String topic) {
      this.topic = topic;
    }

    /** Ids whose offsets the group had committed when the stopping run ended. */
    Set<String> committedIds() {
      Set<String> ids = new HashSet<>();
      positions.forEach((id, at) -> {
        Long next = committedAtStop.get(new TopicPartition(topic, at.partition()));
        if (next != null && at.offset() < next) {
          ids.add(id);
        }
      });
      return ids;
    }

    void print() {
      Set<String> committed = committedIds();
      Set<String> leftToRestart = new HashSet<>(committed);
      leftToRestart.removeAll(outputBeforeStop);
      System.out.println(result.line());
      System.out.println("  scenario=" + result.name() + " processed_before_stop=" + outputBeforeStop.size()
          + " committed_at_stop=" + committed.size() + " received_but_processed_after_restart="
          + leftToRestart.size() + " first_processed_after_restart=" + (result.distinct() - outputBeforeStop.size())
          + " rerun_batch_files=" + result.rerunFiles() + " records_in_rerun_batch_files=" + result.rerunDuplicates());
    }

    /** Receiver: whatever it output was stored and committed; what it stored but did not output, the restart did. */
    void assertReceiverGuarantee() {
      assertThat(committedIds()).as("records output by the stopping run were all stored and committed")
          .containsAll(outputBeforeStop);
      assertThat(outputBeforeStop).as("the stopping run processed a part of the stream, not nothing").isNotEmpty();
    }

    /** Direct: commits never ran ahead of the output, and the stopping run output every batch it generated. */
    void assertDirectGuarantee() {
      assertThat(outputBeforeStop).as("the stopping run output what its offsets commit")
          .containsAll(committedIds());
      assertThat(outputBeforeStop).as("the stopping run processed a part of the stream, not nothing").isNotEmpty();
      // Duplicates are possible even here: when the checkpoint that records the last batch as done is not written
      // before the stop ends, the restart runs that batch again (a re-run batch file); they are counted, not asserted.
      assertThat(result.duplicates()).as("duplicates outside re-run batches: %s", result)
          .isEqualTo(result.rerunDuplicates());
    }
  }
}
