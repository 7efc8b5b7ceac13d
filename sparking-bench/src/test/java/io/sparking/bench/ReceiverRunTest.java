package io.sparking.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.bench.ReceiverRun.FlumePull;
import io.sparking.bench.ReceiverRun.FlumePush;
import io.sparking.bench.ReceiverRun.KafkaSource;
import io.sparking.bench.ReceiverRun.StreamingJob;
import io.sparking.bench.ReceiverRun.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The receiving JVM reads back exactly what the bench JVM wrote, and names what it cannot read. */
class ReceiverRunTest {
  private static final Target TARGET =
      new Target(2_000, Duration.ofSeconds(150), OptionalLong.empty());
  private static final StreamingJob JOB =
      new StreamingJob(Duration.ofMillis(500), 1, OptionalLong.empty(), false);

  @Test
  void everySourceSurvivesTheCommandLine() {
    List<ReceiverRun> runs =
        List.of(
            new ReceiverRun(
                "kafka-receiver",
                new Target(1_000, Duration.ofSeconds(130), OptionalLong.of(250)),
                new StreamingJob(Duration.ofMillis(1_000), 2, OptionalLong.of(5_000), true),
                new KafkaSource("127.0.0.1:9092", "bench", 4, "bench-kafka-receiver-0-42")),
            new ReceiverRun("flume-raw-rpc", TARGET, JOB, new FlumePush(0)),
            new ReceiverRun("flume-pull-sparking", TARGET, JOB, new FlumePull(41_414, 3)));
    for (ReceiverRun run : runs) {
      assertThat(ReceiverRun.fromArgs(run.toArgs())).isEqualTo(run);
    }
  }

  @Test
  void aBadValueIsNamedWithWhatToPass() {
    List<String> argv =
        new ArrayList<>(new ReceiverRun("flume-push", TARGET, JOB, new FlumePush(0)).toArgs());
    argv.replaceAll(a -> a.equals("batchMillis=500") ? "batchMillis=half-a-second" : a);

    assertThatThrownBy(() -> ReceiverRun.fromArgs(argv))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchMillis=half-a-second is invalid: pass a whole number");
  }

  @Test
  void missingUnknownAndOutOfRangeArgumentsAreRefused() {
    List<String> argv =
        new ReceiverRun("flume-pull-sparking", TARGET, JOB, new FlumePull(41_414, 3)).toArgs();

    assertThatThrownBy(() -> ReceiverRun.fromArgs(without(argv, "connections=")))
        .hasMessageContaining("connections is missing");
    assertThatThrownBy(() -> ReceiverRun.fromArgs(with(argv, "size=100")))
        .hasMessageContaining("[size] are unknown");
    assertThatThrownBy(() -> ReceiverRun.fromArgs(with(without(argv, "port="), "port=70000")))
        .hasMessageContaining("port=70000 is out of range");
    assertThatThrownBy(() -> ReceiverRun.fromArgs(with(without(argv, "paced="), "paced=yes")))
        .hasMessageContaining("paced=yes is invalid: pass true or false");
  }

  @Test
  void aPathReadsOnlyTheSourceItNeeds() {
    ReceiverRun run = new ReceiverRun("kafka-raw-consumer", TARGET, JOB, new FlumePush(0));

    assertThatThrownBy(run::kafka)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kafka-raw-consumer needs a KafkaSource source");
  }

  private static List<String> without(List<String> argv, String prefix) {
    return argv.stream().filter(a -> !a.startsWith(prefix)).toList();
  }

  private static List<String> with(List<String> argv, String extra) {
    List<String> more = new ArrayList<>(argv);
    more.add(extra);
    return more;
  }
}
