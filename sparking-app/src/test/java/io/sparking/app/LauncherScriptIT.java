package io.sparking.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script's own answers, run as users run it ({@code ./sparking ...} from another
 * directory), without a cluster: what {@code submit} prints and returns before it hands over to
 * spark-submit. Submitting to a cluster through the script is in {@link ClusterJobsIT}.
 */
@Tag("default-line")
class LauncherScriptIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;

  /** What a run of the script printed on each stream, and its exit code. */
  private record ScriptRun(int exit, String out, String err) {}

  @Test
  void submitHelpPrintsTheUsageAndExitsZeroWithoutBuilding() throws Exception {
    for (String help : List.of("--help", "-h")) {
      // No SPARKING_SKIP_BUILD: help is answered before the script looks at what is built.
      ScriptRun run = sparking(Map.of(), "submit", help);
      assertThat(run.exit()).as("exit code of submit %s; stderr:%n%s", help, run.err()).isZero();
      assertThat(run.out())
          .startsWith(
              "usage: ./sparking submit <Job> --master <url> [spark-submit options] --"
                  + " <job arguments without the master>")
          .contains("./sparking <Job> --help");
      assertThat(run.err()).as("stderr of submit %s", help).isEmpty();
    }
  }

  @Test
  void submitWithoutAJobIsAUsageErrorThatSaysWhatToName() throws Exception {
    ScriptRun run = sparking(Map.of("SPARKING_SKIP_BUILD", "1"), "submit");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("error: name the job to submit, such as KafkaSingleTopic")
        .contains("usage: ./sparking submit <Job>");
    ScriptRun noMaster =
        sparking(
            Map.of("SPARKING_SKIP_BUILD", "1"),
            "submit",
            "KafkaSingleTopic",
            "--",
            "t",
            "broker:9092");
    assertThat(noMaster.exit()).isEqualTo(2);
    assertThat(noMaster.err()).startsWith("error: pass --master, such as spark://host:7077");
  }

  /**
   * Runs {@code ./sparking args} from {@link #work} with {@code env} added; at most {@link #WAIT}.
   */
  private ScriptRun sparking(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("sparking.root", ".."));
    List<String> command =
        new ArrayList<>(List.of(root.resolve("sparking").toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Path out = work.resolve("out-" + System.nanoTime() + ".txt");
    Path err = work.resolve("err-" + System.nanoTime() + ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    // Only what the test names: a SPARKING_SKIP_BUILD from the calling shell would hide a build the
    // script starts.
    builder.environment().remove("SPARKING_SKIP_BUILD");
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("./sparking %s ended within %s", String.join(" ", args), WAIT)
          .isTrue();
      return new ScriptRun(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }
}
