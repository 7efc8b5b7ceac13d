package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job {@code FlumeStructuredStreaming} killed with SIGKILL mid-stream and started again with
 * the same command: every id in the files Spark's file sink committed, exactly once. The source's
 * own crash test ({@code CrashTest} in sparking-flume-sql) covers the mechanism by default; this
 * one runs the job as users do, with {@code -Pfaults} (or {@code -Dsparking.faults.all=true}).
 */
@EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
@Tag("default-line")
class StructuredStreamingCrashTest {
  private static final Pattern COMMITTED_FILE = Pattern.compile("\"path\":\"file:([^\"]+)\"");

  @TempDir Path work;

  @Test
  void flumeStructuredStreamingWritesEveryIdOnceWhenItsDriverIsKilled() throws Exception {
    List<String> ids = KafkaBroker.numbered("id", 0, FaultScenario.IDS);
    Path out = work.resolve("out");
    JobRunner jobs = new JobRunner(work);
    // The first half takes about 20 s to feed, so the first committed batch, and the kill after
    // it, come while it is still being fed, even when the query starts slowly on a loaded machine.
    try (FlumeSource flume = FlumeSource.pull(work, Math.max(300, FaultScenario.IDS / 40))) {
      String[] args = {
        "FlumeStructuredStreaming",
        "local[2]",
        "127.0.0.1:" + flume.port(),
        "--trigger",
        "1s",
        "--output-dir",
        out.toString(),
        "--checkpoint-dir",
        work.resolve("checkpoint").toString(),
        "--duration",
        "900"
      };
      long atKill;
      try (JavaProcess first = jobs.start(work.resolve("first.log"), args)) {
        flume.append(ids.subList(0, ids.size() / 2));
        await()
            .atMost(Duration.ofSeconds(120))
            .until(() -> !committed(out).isEmpty() || !first.isAlive());
        assertThat(first.isAlive()).as(first.logTail(40)).isTrue();
        first.kill();
        first.waitFor(Duration.ofSeconds(30));
        atKill = committed(out).values().stream().mapToLong(n -> n).sum();
      }
      flume.append(ids.subList(ids.size() / 2, ids.size()));
      flume.feedTheRestAtOnce();
      try (JavaProcess second = jobs.start(work.resolve("second.log"), args)) {
        await()
            .atMost(FaultScenario.ALL_IDS_TIMEOUT)
            .until(() -> committed(out).size() == ids.size() || !second.isAlive());
        Map<String, Integer> counts = committed(out);
        long lost = ids.stream().filter(id -> !counts.containsKey(id)).count();
        long duplicates = counts.values().stream().mapToLong(n -> n - 1).sum();
        System.out.println(
            "scenario=FlumeStructuredStreaming-driverKill sent="
                + ids.size()
                + " committed_at_kill="
                + atKill
                + " distinct="
                + counts.size()
                + " lost="
                + lost
                + " duplicates="
                + duplicates);
        // Records flowed at the kill: ids were committed before it, and ids of the first half (all
        // sent before it) only after it.
        assertThat(atKill)
            .as("ids committed at the kill: some, and fewer than the first half")
            .isBetween(1L, ids.size() / 2 - 1L);
        assertThat(lost).as(second.logTail(40)).isZero();
        assertThat(duplicates).isZero();
      }
    }
  }

  /**
   * How often each id is in the files that the file sink's {@code _spark_metadata} log lists: the
   * files of committed batches only, as a Spark reader of the directory sees them.
   */
  private static Map<String, Integer> committed(Path out) throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    Path metadata = out.resolve("_spark_metadata");
    if (!Files.isDirectory(metadata)) {
      return counts;
    }
    List<Path> logs;
    try (Stream<Path> files = Files.list(metadata)) {
      logs = files.filter(f -> f.getFileName().toString().matches("\\d+(\\.compact)?")).toList();
    }
    for (Path log : logs) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        Matcher m = COMMITTED_FILE.matcher(line);
        if (m.find()) {
          String file = java.net.URI.create("file:" + m.group(1)).getPath();
          for (String id : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
            counts.merge(id, 1, Integer::sum);
          }
        }
      }
    }
    return counts;
  }
}
