package io.sparking.jobs;

import io.sparking.flume.FlumeAddresses;
import io.sparking.flume.FlumePreflight;
import io.sparking.flume.sql.FlumeDataSource;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A Structured Streaming query on the Flume source ({@code format("flume")}): pulls from agents
 * running Sparking's sink, or listens for Flume's avro sink, and writes each event's body as a line
 * into Spark's text file sink, exactly once across a restart from the same checkpoint.
 *
 * <p>It shares the Flume jobs' arguments, start-up check and checkpoint handling; it does not share
 * {@link StreamingJob}'s skeleton, which is built around a {@code StreamingContext}.
 */
@Command(
    name = "FlumeStructuredStreaming",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes the bodies of Flume events, one per line, into Spark's file sink with a Structured"
          + " Streaming query on the Flume source: exactly once across a restart from the same"
          + " --checkpoint-dir.",
      "Pull (default): from the Sparking sinks of the agents at <host:port,...>. Push (--push):"
          + " listens at the one <host:port> an avro sink sends to.",
      "Each micro-batch prints 'batch <id> records=<n> processing=<ms>ms'; on stop the job prints"
          + " 'total records=<n>'."
    })
public final class FlumeStructuredStreaming implements Callable<Integer> {
  private static final String NAME = "FlumeStructuredStreaming";

  @Parameters(
      index = "0",
      paramLabel = "<spark-master>",
      description = "Spark master: local[N], spark://host:port, yarn or k8s://...")
  String master;

  @Parameters(
      index = "1",
      paramLabel = "<host:port,...>",
      description =
          "Pull: the agents' Sparking sinks, separated by commas. Push: the one address the query"
              + " listens on, the avro sink's hostname and port")
  String addressList;

  @Option(
      names = "--push",
      description = "Listen for Flume's avro sink instead of pulling (the source's mode=push)")
  boolean push;

  @Option(
      names = "--trigger",
      paramLabel = "<duration>",
      converter = StreamingJob.DurationConverter.class,
      defaultValue = "2s",
      description = "Micro-batch trigger interval, e.g. 500ms, 2s, 1m (default: ${DEFAULT-VALUE})")
  Duration trigger;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "<dir>",
      description =
          "The query's checkpoint, with the source's log of every acknowledged event; on a cluster a"
              + " shared file system such as HDFS (default: .sparking/checkpoints/<job> under the"
              + " working directory)")
  String checkpointDir;

  @Option(
      names = "--output-dir",
      paramLabel = "<dir>",
      description =
          "Where Spark's text file sink writes the bodies (its _spark_metadata log names the files"
              + " of committed batches); without it, the query counts and discards them")
  String outputDir;

  @Mixin StopOptions stop = new StopOptions();

  @Mixin SourceCheckOptions sourceCheck = new SourceCheckOptions();

  private final AtomicLong total = new AtomicLong();

  @Override
  public Integer call() throws Exception {
    List<InetSocketAddress> addresses = FlumeAddresses.parseList("addresses", addressList);
    if (push && addresses.size() != 1) {
      throw new IllegalArgumentException(
          "addresses="
              + addressList
              + " is more than one address for --push: pass the one host:port the query listens"
              + " on");
    }
    sourceCheck.timeout();
    String checkpoint = CheckpointDirectory.resolve(checkpointDir, NAME);
    Map<String, String> sources =
        Map.of("mode", push ? "push" : "pull", "addresses", text(addresses));
    if (!CheckpointDirectory.checkSources(checkpoint, NAME, sources)) {
      System.err.println(
          "warning: checkpoint " + checkpoint + " has no record of the sources it was made for");
    }
    if (push) {
      if (StreamingJob.localCores(master).isPresent()) {
        FlumePreflight.checkCanListen(addresses);
      }
    } else {
      sourceCheck.timeout().ifPresent(t -> FlumePreflight.checkReachable(addresses, t));
    }
    checkpoint = CheckpointDirectory.prepare(checkpointDir, NAME);
    CheckpointDirectory.recordSources(checkpoint, NAME, sources);

    SparkSession spark =
        SparkSession.builder()
            .master(master)
            .appName(NAME)
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate();
    spark.streams().addListener(new BatchLines());
    var reader = spark.readStream().format(FlumeDataSource.SHORT_NAME);
    if (push) {
      reader =
          reader
              .option("mode", "push")
              .option("host", addresses.get(0).getHostString())
              .option("port", String.valueOf(addresses.get(0).getPort()));
    } else {
      reader = reader.option("mode", "pull").option("agents", text(addresses));
    }
    DataStreamWriter<Row> writer =
        reader
            .load()
            .selectExpr("CAST(body AS STRING) AS value")
            .writeStream()
            .queryName(NAME)
            .option("checkpointLocation", checkpoint)
            .trigger(Trigger.ProcessingTime(trigger.toMillis()));
    writer =
        outputDir == null ? writer.format("noop") : writer.format("text").option("path", outputDir);
    StreamingQuery query = writer.start();
    int exit = StreamingJob.OK;
    try (GracefulShutdown shutdown = new GracefulShutdown(Duration.ofSeconds(28))) {
      try {
        awaitEnd(query, shutdown);
      } catch (StreamingQueryException e) {
        System.err.println("error: " + NAME + " failed: " + e.getMessage());
        exit = StreamingJob.FAILED;
      } finally {
        // A stopped query leaves what its source logged but no batch processed for the next run.
        query.stop();
        System.out.println("total records=" + total.get());
        System.out.flush();
        spark.stop();
      }
    }
    return exit;
  }

  private void awaitEnd(StreamingQuery query, GracefulShutdown shutdown)
      throws StreamingQueryException {
    long deadline = stop.deadlineFromNow();
    while (!query.awaitTermination(200)) {
      if (shutdown.requested() || stop.reached(deadline, total.get())) {
        return;
      }
    }
  }

  /** One line per micro-batch that read something, and the running total. */
  private final class BatchLines extends StreamingQueryListener {
    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      long rows = event.progress().numInputRows();
      if (rows == 0) {
        return;
      }
      total.addAndGet(rows);
      Long processing = event.progress().durationMs().get("triggerExecution");
      System.out.println(
          "batch "
              + event.progress().batchId()
              + " records="
              + rows
              + " processing="
              + (processing == null ? 0 : processing)
              + "ms");
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {}
  }

  private static String text(List<InetSocketAddress> addresses) {
    return addresses.stream()
        .map(a -> a.getHostString() + ":" + a.getPort())
        .collect(Collectors.joining(","));
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new FlumeStructuredStreaming(), args);
  }
}
