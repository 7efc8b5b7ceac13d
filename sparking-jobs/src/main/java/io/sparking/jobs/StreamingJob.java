package io.sparking.jobs;

import io.sparking.core.GracefulStop;
import io.sparking.core.UnreadableBlockException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The one skeleton every job runs on: parses the command line, refuses a local master without a
 * core for batches and a checkpoint made for other sources, checks its sources, builds the
 * streaming context, lets the job define its streams, prints one line per batch and stops
 * gracefully (after {@code --duration}, {@code --max-records}, or on SIGTERM/Ctrl-C), then prints
 * {@code total records=<n>}.
 *
 * <p>A job's {@code main} is one line: {@code StreamingJob.main(new MyJob(), args);}
 */
public abstract class StreamingJob implements Callable<Integer> {
  /**
   * How long a SIGTERM waits for the graceful stop (Hadoop's shutdown hook manager gives Spark 30
   * s).
   */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(28);

  /** Exit code of a run that stopped as asked. */
  public static final int OK = 0;

  /** Exit code when a source is unreachable or the job failed while running. */
  public static final int FAILED = 1;

  /** Exit code of a command line that does not parse. */
  public static final int USAGE = 2;

  /**
   * {@code local}, {@code local[N]}, {@code local[*]}, and the same with a number of task failures
   * allowed.
   */
  private static final Pattern LOCAL_MASTER =
      Pattern.compile("local(?:\\[(\\d{1,9}|\\*)(?:,\\d+)?])?");

  @Parameters(
      index = "0",
      paramLabel = "<spark-master>",
      description =
          "Spark master: local[N], spark://host:port, yarn or k8s://... (in local mode give at least one"
              + " core more than the job has receivers)")
  String master;

  @Option(
      names = "--batch-interval",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      defaultValue = "2s",
      description = "Batch interval, e.g. 500ms, 2s, 1m (default: ${DEFAULT-VALUE})")
  Duration batchInterval;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "<dir>",
      description =
          "Checkpoint and write-ahead-log directory; on a cluster a shared file system such as HDFS"
              + " (default: .sparking/checkpoints/<job> under the working directory)")
  String checkpointDir;

  @Mixin StopOptions stop = new StopOptions();

  @Mixin OutputOptions output = new OutputOptions();

  /** The job's name: its class's simple name, also the Spark application name. */
  protected String name() {
    return getClass().getSimpleName();
  }

  /**
   * Checks the arguments beyond what picocli parses; throw {@link IllegalArgumentException} to
   * reject them.
   */
  protected void validate() {}

  /**
   * How many receivers the job starts, each holding an executor core for as long as it runs; 0 for
   * a job that reads without receivers (the direct stream). Called after {@link #validate()}. In
   * local mode the job is refused unless the master gives at least one core more, since with no
   * core left over batches queue up and never run.
   */
  protected abstract int receivers();

  /**
   * The arguments that define the job's streams (say topics, brokers and group), by name, in the
   * order an error message lists them. Called after {@link #validate()}. They are recorded next to
   * a new checkpoint, and a run whose sources differ from the checkpoint's is refused: a recovered
   * context would resume the old streams.
   */
  protected abstract Map<String, String> sources();

  /**
   * Checks the sources before Spark starts; throw {@link IllegalStateException} with what to do.
   */
  protected void preflight() {}

  /** Job-specific Spark settings (say, the write-ahead log). */
  protected void configure(SparkConf conf) {}

  /**
   * Whether the job checkpoints and recovers from {@code --checkpoint-dir} ({@code
   * StreamingContext.getOrCreate}). A job that keeps its position elsewhere, say in the database it
   * writes to, returns false: it then starts a new context on every run and defines its streams
   * from that position.
   */
  protected boolean recoversFromCheckpoint() {
    return true;
  }

  /**
   * Releases what {@link #defineStreams} opened; called once after the streaming context stopped.
   */
  protected void stopped() {}

  /** Defines the job's streams and hands each batch to {@code reporter}. */
  protected abstract void defineStreams(JavaStreamingContext jssc, BatchReporter reporter);

  @Override
  public final Integer call() {
    if (checkpointDir != null && !recoversFromCheckpoint()) {
      throw new IllegalArgumentException(
          "--checkpoint-dir="
              + checkpointDir
              + " is not for "
              + name()
              + ", which"
              + " keeps no checkpoint (it resumes from the position its output stored): remove the option");
    }
    validate();
    checkLocalCores();
    if (recoversFromCheckpoint()) {
      checkCheckpointSources();
    }
    preflight();
    SparkConf conf =
        new SparkConf()
            .setMaster(master)
            .setAppName(name())
            .setIfMissing("spark.ui.showConsoleProgress", "false")
            // SIGTERM and Ctrl-C are handled by GracefulShutdown, which stops while the local
            // executor still runs.
            .set("spark.streaming.stopGracefullyOnShutdown", "false")
            .setIfMissing("spark.streaming.gracefulStopTimeout", "20s");
    configure(conf);
    JavaStreamingContext jssc = recoversFromCheckpoint() ? recoverOrCreate(conf) : create(conf);
    // Listeners are not checkpointed: these are added to a new and a recovered context alike, here
    // only.
    jssc.addStreamingListener(new BatchDelayListener(name()));
    jssc.addStreamingListener(new ReceiverPlacementLog());
    int exit = OK;
    try (GracefulShutdown shutdown = new GracefulShutdown(SHUTDOWN_WAIT)) {
      try {
        jssc.start();
        awaitEnd(jssc, shutdown);
      } catch (Exception e) {
        // Exception: a failed batch reaches here as Spark's SparkException, which Java sees as
        // checked but Scala throws from awaitTermination all the same.
        String unreadable = unreadableBlock(e);
        if (unreadable != null) {
          // A log this release cannot read: the one line says what to do; the stack adds nothing.
          System.err.println("error: " + name() + " stopped: " + unreadable);
        } else {
          System.err.println("error: " + name() + " failed: " + e.getMessage());
          e.printStackTrace();
        }
        exit = FAILED;
      } finally {
        // Not jssc.stop(true, true): Spark's graceful stop leaves the receivers' last blocks for a
        // restart from
        // the checkpoint; this one processes them in this run.
        GracefulStop.stop(jssc);
        stopped();
        BatchReporter.printUnfinished(name());
        System.out.println("total records=" + BatchReporter.total(name()));
        System.out.flush();
      }
    }
    return exit;
  }

  /**
   * The message of the {@link UnreadableBlockException} behind {@code error}, or null: found in the
   * cause chain, or in the text of a task failure whose exception did not travel.
   */
  static String unreadableBlock(Throwable error) {
    String name = UnreadableBlockException.class.getName() + ": ";
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof UnreadableBlockException) {
        return t.getMessage();
      }
      String text = String.valueOf(t.getMessage());
      int at = text.indexOf(name);
      if (at >= 0) {
        return text.substring(at + name.length()).lines().findFirst().orElse("");
      }
    }
    return null;
  }

  private JavaStreamingContext create(SparkConf conf) {
    JavaStreamingContext jssc =
        new JavaStreamingContext(conf, Durations.milliseconds(batchInterval.toMillis()));
    try {
      defineStreams(jssc, new BatchReporter(name(), BatchOutput.prepare(output.outputDir)));
      return jssc;
    } catch (RuntimeException | Error e) {
      jssc.stop(true, false);
      stopped();
      throw e;
    }
  }

  private JavaStreamingContext recoverOrCreate(SparkConf conf) {
    String checkpoint = CheckpointDirectory.prepare(checkpointDir, name());
    // Recovering from the checkpoint replays what the receivers wrote ahead but no batch processed
    // yet (say, the
    // last blocks of a graceful stop, or everything in flight when the driver died).
    AtomicBoolean created = new AtomicBoolean();
    JavaStreamingContext jssc =
        JavaStreamingContext.getOrCreate(
            checkpoint.toString(),
            () -> {
              created.set(true);
              JavaStreamingContext fresh =
                  new JavaStreamingContext(conf, Durations.milliseconds(batchInterval.toMillis()));
              fresh.checkpoint(checkpoint.toString());
              defineStreams(
                  fresh, new BatchReporter(name(), BatchOutput.prepare(output.outputDir)));
              CheckpointDirectory.recordSources(checkpoint, name(), sources());
              return fresh;
            });
    if (!created.get()) {
      System.err.println(
          "Recovered "
              + name()
              + " from checkpoint "
              + checkpoint
              + ": it resumes what the last run"
              + " left, with that run's streams and settings. Delete the directory to start afresh with new arguments.");
    }
    return jssc;
  }

  /**
   * Refuses a checkpoint made for other sources than this run's, before anything starts: recovered,
   * it would resume its own. A checkpoint without a record of its sources is recovered with a
   * warning.
   */
  private void checkCheckpointSources() {
    String checkpoint = CheckpointDirectory.resolve(checkpointDir, name());
    if (!CheckpointDirectory.checkSources(checkpoint, name(), sources())) {
      System.err.println(
          "warning: checkpoint "
              + checkpoint
              + " has no record of the sources it was made for (an"
              + " older Sparking wrote it): "
              + name()
              + " resumes that run's streams whatever the arguments say; delete"
              + " the directory, or pass --checkpoint-dir with another one, to read these sources instead");
    }
  }

  /** Refuses a local master with no core left over for batches once the receivers took theirs. */
  private void checkLocalCores() {
    int receivers = receivers();
    OptionalInt cores = localCores(master);
    if (receivers > 0 && cores.isPresent() && cores.getAsInt() <= receivers) {
      String given =
          master.trim().toLowerCase(Locale.ROOT).startsWith("local[*")
              ? " (this machine's processors)"
              : "";
      throw new IllegalArgumentException(
          "master "
              + master
              + " gives "
              + cores.getAsInt()
              + " core(s)"
              + given
              + " but the job runs "
              + receivers
              + " receiver(s), each holding a core for good, which leaves none to"
              + " process batches: pass local["
              + (receivers + 1)
              + "] or more");
    }
  }

  /**
   * The cores of a local master: 1 for {@code local}, N for {@code local[N]} and {@code
   * local[N,F]}, this machine's processors for {@code local[*]} and {@code local[*,F]}; empty for
   * any other master (a cluster's cores are the cluster manager's to count).
   */
  static OptionalInt localCores(String master) {
    Matcher m = LOCAL_MASTER.matcher(master.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return OptionalInt.empty();
    }
    if (m.group(1) == null) {
      return OptionalInt.of(1);
    }
    return OptionalInt.of(
        m.group(1).equals("*")
            ? Runtime.getRuntime().availableProcessors()
            : Integer.parseInt(m.group(1)));
  }

  private void awaitEnd(JavaStreamingContext jssc, GracefulShutdown shutdown) {
    long deadline = stop.deadlineFromNow();
    while (true) {
      try {
        if (jssc.awaitTerminationOrTimeout(200)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (shutdown.requested() || stop.reached(deadline, BatchReporter.total(name()))) {
        return;
      }
    }
  }

  /**
   * Runs {@code command} with {@code args} as a program's {@code main}: ends the JVM with the exit
   * code of {@link #run}. In a YARN application master (cluster mode) the driver must not end the
   * JVM, or YARN sees the application fail whatever the code: there a run that ends as asked
   * returns, and one that fails throws, which Spark reports to YARN as the application's failure.
   */
  public static void main(Object command, String... args) {
    int exit = run(command, args);
    if (System.getProperty("spark.yarn.app.id") == null) {
      System.exit(exit);
    }
    if (exit != OK) {
      throw new IllegalStateException(
          command.getClass().getSimpleName() + " ended with exit code " + exit);
    }
  }

  /**
   * Runs {@code job} with {@code args} and returns the exit code: 0 when it stopped as asked, 1
   * when a source was unreachable or the job failed, 2 for a command line that does not parse.
   */
  public static int run(Object command, String... args) {
    return commandLine(command).execute(args);
  }

  /**
   * A command line for {@code command} whose errors map to exit codes: {@link
   * IllegalArgumentException} is a usage error (2), {@link IllegalStateException} a failed run (1),
   * each printed as one line.
   */
  static CommandLine commandLine(Object command) {
    return withExitCodes(new CommandLine(command));
  }

  /**
   * Maps the errors of {@code cli} and of the subcommands it has so far to exit codes, as {@link
   * #run} does: for a launcher that adds commands of its own.
   */
  public static CommandLine withExitCodes(CommandLine cli) {
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof IllegalArgumentException) {
            commandLine.getErr().println("error: " + e.getMessage());
            commandLine.getErr().println("Run with --help for usage.");
            return USAGE;
          }
          if (e instanceof IllegalStateException) {
            commandLine.getErr().println("error: " + e.getMessage());
            return FAILED;
          }
          throw e;
        });
    return cli;
  }

  /** Reads durations such as {@code 500ms}, {@code 2s}, {@code 1m}; a bare number means seconds. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      try {
        Duration d;
        if (v.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        } else if (v.endsWith("s")) {
          d =
              Duration.ofMillis(
                  Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        } else if (v.endsWith("m")) {
          d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
        } else {
          d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        }
        if (d.toMillis() < 1) {
          throw new CommandLine.TypeConversionException(
              "'" + value + "' is not a positive duration");
        }
        return d;
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration: use e.g. 500ms, 2s, 1m");
      }
    }
  }
}
