package io.sparking.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.JvmFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as users run it ({@code ./sparking demo [flume] --duration <s>}), in a JVM of its own:
 * its closing summary says that each job processed exactly what the sample text produced, and it
 * leaves no process behind.
 */
@Tag("default-line")
class DemoTest {
  /** Long enough for a few batches after the start; the summary is what counts. */
  private static final int DURATION_SECONDS = 10;

  /** Start, run, drain (bounded by the demo itself) and stop, on a loaded 2-core machine. */
  private static final Duration DEMO_TIMEOUT = Duration.ofSeconds(300);

  private static final Pattern PROCESSED =
      Pattern.compile("^ {2}(\\w+) job \\((\\w+)\\) processed ([\\d,]+) of ([\\d,]+) (.+)$");
  private static final Pattern STARTED = Pattern.compile("Started (\\S+) \\(pid (\\d+)\\)");

  @TempDir Path work;

  @Test
  void kafkaDemoSummarySaysEachJobProcessedEveryProducedRecord() throws Exception {
    List<String> lines = runDemo("kafka");
    assertEachJobProcessedEverything(
        lines,
        "produced records",
        Map.of("receiver", "KafkaSingleTopic", "direct", "KafkaDirectTopic"));
  }

  @Test
  void flumeDemoSummarySaysEachJobProcessedEveryAppendedLine() throws Exception {
    List<String> lines = runDemo("flume");
    assertEachJobProcessedEverything(
        lines,
        "appended lines",
        Map.of("push", "FlumeSinglePushBased", "pull", "FlumeSinglePullBased"));
  }

  /**
   * Runs the demo to its end and returns its output; asserts it exited 0 and left no process
   * running.
   */
  private List<String> runDemo(String source) throws Exception {
    Path log = work.resolve("demo-" + source + ".log");
    List<String> lines;
    try (JavaProcess demo =
        JavaProcess.start(
            "demo-" + source,
            JvmFlags.forLocalJob(),
            System.getProperty("java.class.path"),
            Launcher.class.getName(),
            List.of("demo", source, "--duration", String.valueOf(DURATION_SECONDS)),
            work,
            log)) {
      OptionalInt exit = demo.waitFor(DEMO_TIMEOUT);
      lines = Files.readAllLines(log);
      String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
      assertThat(exit)
          .as("the demo exited within %s; its output ends:%n%s", DEMO_TIMEOUT, tail)
          .isPresent();
      assertThat(exit.getAsInt()).as("exit code; output ends:%n%s", tail).isZero();
    }
    List<Long> pids = new ArrayList<>();
    for (String line : lines) {
      Matcher started = STARTED.matcher(line);
      if (started.find()) {
        pids.add(Long.parseLong(started.group(2)));
      }
    }
    // The jobs, and the broker with its format tool or the two agents.
    assertThat(pids).as("processes the demo started").hasSizeGreaterThanOrEqualTo(4);
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("process %d, started by the demo, is still running after it exited", pid)
          .isFalse();
    }
    return lines;
  }

  private static void assertEachJobProcessedEverything(
      List<String> lines, String what, Map<String, String> jobs) {
    String output = String.join("\n", lines);
    Map<String, String> seen = new LinkedHashMap<>();
    long produced = -1;
    for (String line : lines) {
      Matcher m = PROCESSED.matcher(line);
      if (!m.matches()) {
        continue;
      }
      long processed = Long.parseLong(m.group(3).replace(",", ""));
      long of = Long.parseLong(m.group(4).replace(",", ""));
      assertThat(m.group(5)).as("what the summary counts").isEqualTo(what);
      assertThat(processed).as("%s; the output:%n%s", line, output).isEqualTo(of);
      assertThat(produced == -1 || produced == of)
          .as("every job is compared with the same count: %s", line)
          .isTrue();
      produced = of;
      seen.put(m.group(1), m.group(2));
    }
    assertThat(seen).as("the summary's job lines; the output:%n%s", output).isEqualTo(jobs);
    assertThat(produced).as("the sample text produced something").isPositive();
    assertThat(output)
        .contains(
            String.format(
                java.util.Locale.ROOT, "every job processed exactly the %,d %s", produced, what))
        .contains("every job caught up")
        .doesNotContain("did not catch up")
        .containsPattern("start: first batch line [\\d.]+ s after the command");
  }
}
