package io.sparking.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.HadoopCluster;
import io.sparking.runtime.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submits the jobs to YARN with docs/cluster.md's YARN recipe, read from the page itself: {@code
 * HADOOP_CONF_DIR} names Hadoop's own MiniYARNCluster and MiniDFSCluster (sparking-runtime's {@code
 * HadoopCluster}, in a JVM of its own), {@code ./sparking submit <Job> --master yarn} submits the
 * application jar, Spark's jars reach the containers through {@code spark.yarn.jars}, checkpoints
 * and write-ahead logs go to HDFS. Every record is counted in the job's {@code --output-dir}.
 *
 * <p>The system property {@code sparking.spark.line} (3.5_2.13 unless set) names the Spark line: on
 * another line the command gets {@code --spark-line <line>} (lines/4.x_2.13/sparking-app runs this
 * class with 4.2, on that line's Hadoop mini clusters).
 */
class YarnJobsIT {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(420);

  /** The recipe's code block in docs/cluster.md, between these two lines. */
  private static final String RECIPE_START = "<!-- the YARN recipe: YarnJobsIT runs it -->";

  private static final String RECIPE_END = "<!-- end of the YARN recipe -->";

  private static KafkaBroker kafka;
  private static HadoopCluster hadoop;

  @TempDir Path work;

  @BeforeAll
  static void startKafkaAndHadoop() {
    kafka = KafkaBroker.start();
    hadoop = HadoopCluster.startWithYarn(1, 1);
  }

  @AfterAll
  static void stop() {
    try {
      if (hadoop != null) {
        hadoop.close();
      }
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  @Test
  void kafkaReceiverJobRunsOnYarnInClusterMode() throws Exception {
    kafka.createTopic("yarn-words", 3);
    List<String> sent = KafkaBroker.numbered("yarn", 0, 3_000);
    kafka.produce("yarn-words", sent);
    List<String> command =
        recipe(
            "KafkaSingleTopic",
            "cluster",
            List.of("yarn-words", kafka.bootstrapServers(), "--group", "yarn-words"),
            "/sparking/checkpoints/yarn-words");
    assertExactly(run("KafkaSingleTopic-cluster", command, sent.size()), sent);
  }

  /** The other deploy mode and the other source: with {@code -Pfaults}, to keep the build short. */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void flumePullJobRunsOnYarnInClientMode() throws Exception {
    Path root = Path.of(System.getProperty("sparking.root", ".."));
    List<String> sent = IntStream.range(0, 2_000).mapToObj(i -> "yarn event " + i).toList();
    Path input = Files.write(work.resolve("input.log"), sent, StandardCharsets.UTF_8);
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .name("agent")
            .configuration(Files.readString(root.resolve("conf/flume/pull-single.properties")))
            .placeholder("FLUME_INPUT_FILE", input)
            .listenPort("FLUME_SINK_PORT")
            .start()) {
      List<String> command =
          recipe(
              "FlumeSinglePullBased",
              "client",
              List.of("127.0.0.1", String.valueOf(agent.port("FLUME_SINK_PORT"))),
              "/sparking/checkpoints/flume-pull");
      assertExactly(run("FlumeSinglePullBased-client", command, sent.size()), sent);
    }
  }

  /**
   * The recipe's command for {@code job} in {@code deployMode}, with the job's own arguments and
   * checkpoint in place of the recipe's examples.
   */
  private static List<String> recipe(
      String job, String deployMode, List<String> jobArgs, String checkpointPath)
      throws IOException {
    Path root = Path.of(System.getProperty("sparking.root", ".."));
    String page = Files.readString(root.resolve("docs/cluster.md"), StandardCharsets.UTF_8);
    int start = page.indexOf(RECIPE_START);
    int end = page.indexOf(RECIPE_END);
    assertThat(start).as("docs/cluster.md marks the YARN recipe").isPositive();
    Matcher block =
        Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(page.substring(start, end));
    assertThat(block.find()).as("the YARN recipe's code block").isTrue();
    List<String> words = new ArrayList<>();
    for (String line : block.group(1).split("\\n")) {
      String code = line.replaceAll("\\s+#.*$", "").replaceAll("\\\\$", "").trim();
      if (code.isEmpty() || code.startsWith("export ")) {
        continue;
      }
      words.addAll(List.of(code.split("\\s+")));
    }
    // ./sparking submit KafkaSingleTopic --master yarn --deploy-mode cluster ... -- <job args>
    assertThat(words.subList(0, 7))
        .containsExactly(
            "./sparking",
            "submit",
            "KafkaSingleTopic",
            "--master",
            "yarn",
            "--deploy-mode",
            "cluster");
    List<String> command = new ArrayList<>();
    command.add(root.resolve("sparking").toAbsolutePath().toString());
    String line = System.getProperty("sparking.spark.line", "3.5_2.13");
    if (!line.equals("3.5_2.13")) {
      command.addAll(List.of("--spark-line", line));
    }
    command.add("submit");
    command.add(job);
    command.addAll(List.of("--master", "yarn", "--deploy-mode", deployMode));
    int dashes = words.indexOf("--");
    command.addAll(words.subList(7, dashes));
    command.add("--");
    command.addAll(jobArgs);
    // The recipe's job arguments after its example sources: the checkpoint on the cluster's HDFS.
    List<String> recipeJobArgs = words.subList(dashes + 1, words.size());
    int checkpoint = recipeJobArgs.indexOf("--checkpoint-dir");
    assertThat(recipeJobArgs.get(checkpoint + 1)).startsWith("hdfs:///");
    command.addAll(List.of("--checkpoint-dir", "hdfs://" + checkpointPath));
    command.addAll(recipeJobArgs.subList(checkpoint + 2, recipeJobArgs.size()));
    return command;
  }

  /** What a finished submission printed, and the records of its output directory. */
  private record Run(int exit, String output, List<String> records) {}

  /**
   * Runs {@code command} with the recipe's {@code HADOOP_CONF_DIR}, bounded by {@code records}
   * ({@code --max-records}) and a safety duration; the driver writes the output directory.
   */
  private Run run(String name, List<String> command, int records) throws Exception {
    Path out = work.resolve("out-" + name);
    List<String> full = new ArrayList<>(command);
    full.addAll(
        List.of(
            "--max-records",
            String.valueOf(records),
            "--duration",
            "300",
            "--batch-interval",
            "1s",
            "--output-dir",
            out.toString()));
    Path log = work.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(full)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("HADOOP_CONF_DIR", hadoop.confDir().toString());
    builder.environment().put("SPARKING_SKIP_BUILD", "1");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    try {
      boolean ended = process.waitFor(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(ended)
          .as("%s ended within %s; output:%n%s", name, JOB_TIMEOUT, tail(output))
          .isTrue();
      return new Run(process.exitValue(), output, OutputDirectory.records(out));
    } finally {
      // The script execs the JVM: this handle is spark-submit's (and in client mode the driver's).
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static void assertExactly(Run run, List<String> sent) {
    assertThat(run.exit()).as("exit code; output:%n%s", tail(run.output())).isZero();
    assertThat(run.records())
        .as("records in the output directory; output:%n%s", tail(run.output()))
        .hasSize(sent.size())
        .containsExactlyInAnyOrderElementsOf(sent);
    System.out.printf(
        "%d records sent, %d in the output directory%n", sent.size(), run.records().size());
  }

  private static String tail(String output) {
    String[] lines = output.split("\\n");
    return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 80), lines.length));
  }
}
