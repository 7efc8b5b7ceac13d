package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.core.UnreadableBlockException;
import java.io.InvalidClassException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A job stopped by a block it cannot read prints the exception's one line: found whether the task's
 * exception travelled to the driver as the failure's cause or only as text in its message.
 */
@Tag("default-line")
class UnreadableBlockMessageTest {
  private final UnreadableBlockException refused =
      new UnreadableBlockException(
          "kafka[t]@g#0", "input-0-1", new InvalidClassException("io.sparking.X", "incompatible"));

  @Test
  void foundAsTheCauseOfTheFailedJob() {
    SparkException failed = new SparkException("Job aborted due to stage failure", refused);
    assertThat(StreamingJob.unreadableBlock(failed)).isEqualTo(refused.getMessage());
  }

  @Test
  void foundInTheTextOfATaskFailure() {
    SparkException failed =
        new SparkException(
            "Job aborted due to stage failure: Lost task 0.0 (TID 1) (host executor 1): "
                + refused
                + "\n\tat io.sparking.core.spi.ReceivedRecordsRDD.compute(ReceivedRecordsRDD.java:1)");
    assertThat(StreamingJob.unreadableBlock(failed)).isEqualTo(refused.getMessage());
  }

  @Test
  void otherFailuresAreNotTakenForIt() {
    assertThat(StreamingJob.unreadableBlock(new SparkException("Job aborted: disk full"))).isNull();
    assertThat(StreamingJob.unreadableBlock(new IllegalStateException((String) null))).isNull();
  }
}
