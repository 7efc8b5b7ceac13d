package io.sparking.demo;

import io.sparking.jobs.Sparking;
import io.sparking.jobs.StreamingJob;
import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.JvmFlags;
import io.sparking.runtime.TempDirs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sun.misc.Signal;

/**
 * What every demo does around its own sources: numbered start-up steps with their times, job JVMs
 * whose batch lines it prints with a prefix, a run until {@code --duration} or Ctrl-C, and a stop
 * in a fixed order that leaves no process behind and loses nothing: the sample text stops first,
 * then the demo waits until every job has processed every line of it, then the jobs stop
 * (gracefully, all at once), then the sources (broker, agents). The closing summary says what each
 * job processed against what was produced, and how long the start took.
 */
final class DemoSession {
  /** One demo's sources and jobs, started through the session so that it stops them. */
  interface Scenario {
    /** How many {@link DemoSession#step} calls {@link #start} makes. */
    int steps();

    /**
     * Starts the jobs, the sources and the sample text; everything started is handed to the
     * session.
     */
    void start(DemoSession session) throws Exception;
  }

  private static final Pattern SHOWN = Pattern.compile("^(batch |total records=|error:).*");
  private static final Pattern BATCH = Pattern.compile("^batch \\S+ records=(\\d+).*");
  private static final Pattern TOTAL = Pattern.compile("^total records=(\\d+)$");

  /** How long the jobs may take to process what the sample text left them when it stopped. */
  private static final Duration DRAIN_WAIT = Duration.ofSeconds(60);

  private static final Duration JOB_STOP_WAIT = Duration.ofSeconds(45);

  private final long durationSeconds;
  private final String batchInterval;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Read by the threads that copy the jobs' output while the start adds to it. */
  private final List<Job> jobs = new CopyOnWriteArrayList<>();

  private final Deque<AutoCloseable> sources = new ArrayDeque<>();

  /**
   * When this JVM started: the command's start, but for the few milliseconds the launcher script
   * takes.
   */
  private final long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();

  private SampleText feeder;
  private Path work;
  private Path checkpoints;
  private int steps;
  private int step;
  private volatile boolean flowReported;

  DemoSession(long durationSeconds, String batchInterval) {
    this.durationSeconds = durationSeconds;
    this.batchInterval = batchInterval;
  }

  /**
   * Runs {@code scenario} until {@code --duration} passed or Ctrl-C, then stops everything; returns
   * the exit code.
   */
  int run(Scenario scenario) throws Exception {
    work = Files.createDirectories(Path.of(".sparking", "demo").toAbsolutePath());
    checkpoints = TempDirs.create("sparking-demo-checkpoints-");
    steps = scenario.steps();
    onStopSignal("INT");
    onStopSignal("TERM");
    Thread onExit =
        new Thread(
            () -> {
              stopRequested.countDown();
              try {
                // Any other exit (SIGHUP, System.exit): hold the JVM until the cleanup below has
                // stopped every process.
                stopped.await(JOB_STOP_WAIT.plus(DRAIN_WAIT).toSeconds() + 60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(onExit);
    boolean ranToTheEnd = false;
    try {
      scenario.start(this);
      System.out.println(
          format(
              "Everything is started (%.1f s); batch lines follow as the jobs get going. %s",
              seconds(),
              durationSeconds > 0
                  ? "Stopping after " + durationSeconds + " s."
                  : "Ctrl-C stops everything."));
      awaitStop();
      ranToTheEnd = true;
      return StreamingJob.OK;
    } finally {
      stopAll(ranToTheEnd);
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onExit);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting for another reason: the hook is running and waits for this cleanup.
      }
    }
  }

  /**
   * Turns Ctrl-C (INT) or TERM into a stop request, so the JVM does not begin its shutdown: its
   * hooks all run at once, and the testkit's hooks would kill the jobs before they finish their
   * last batch. The stop then runs in order and the demo exits 0. A second signal exits at once.
   */
  private void onStopSignal(String name) {
    try {
      Signal.handle(
          new Signal(name),
          signal -> {
            if (stopRequested.getCount() == 0) {
              System.err.println("Second " + name + ": stopping at once.");
              System.exit(128 + signal.getNumber());
            }
            stopRequested.countDown();
          });
    } catch (IllegalArgumentException ignored) {
      // The signal is ignored (say, INT in a background job) or not available here: nothing to
      // catch.
    }
  }

  private void awaitStop() throws InterruptedException {
    long deadline =
        durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : 0;
    while (!stopRequested.await(500, TimeUnit.MILLISECONDS)) {
      if (deadline != 0 && System.nanoTime() - deadline >= 0) {
        return;
      }
      for (Job job : jobs) {
        if (!job.process.isAlive()) {
          throw new IllegalStateException(
              job.process
                  + " exited early; its log is "
                  + job.process.logFile()
                  + ":\n"
                  + job.process.logTail(20));
        }
      }
    }
  }

  /**
   * Stops everything in order. After a normal run the jobs first get the chance to process every
   * line the sample text delivered, so that the summary compares like with like: a job stopped
   * while its source still held lines (the broker's log, an agent's channel) would report fewer
   * through no fault of its own.
   */
  private void stopAll(boolean ranToTheEnd) {
    System.out.println(
        "Stopping: the sample text stops, the jobs catch up with it and stop, then the sources stop.");
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    if (feeder != null) {
      closeQuietly(feeder, errors);
      if (ranToTheEnd) {
        awaitCaughtUp(feeder.delivered());
      }
    }
    stopJobs(errors);
    printSummary();
    while (!sources.isEmpty()) {
      closeQuietly(sources.pop(), errors);
    }
    TempDirs.deleteRecursively(checkpoints);
    errors.forEach(e -> System.err.println("error while stopping: " + e));
    System.out.println("Demo stopped; logs are in " + work);
  }

  /**
   * Waits until every job's batch lines add up to {@code produced}, at most {@link #DRAIN_WAIT}.
   */
  private void awaitCaughtUp(long produced) {
    System.out.println(
        format(
            "Waiting until every job has processed the %,d %s (at most %d s; Ctrl-C again stops"
                + " at once) ...",
            produced, feeder.what(), DRAIN_WAIT.toSeconds()));
    long start = System.nanoTime();
    long deadline = start + DRAIN_WAIT.toNanos();
    while (true) {
      List<Job> behind = jobs.stream().filter(job -> job.printed.get() < produced).toList();
      if (behind.isEmpty()) {
        System.out.println(
            format("      every job caught up in %.1f s", (System.nanoTime() - start) / 1e9));
        return;
      }
      List<Job> exited = behind.stream().filter(job -> !job.process.isAlive()).toList();
      if (!exited.isEmpty() || System.nanoTime() - deadline >= 0) {
        StringBuilder message =
            new StringBuilder(
                exited.isEmpty()
                    ? "The jobs did not catch up within " + DRAIN_WAIT.toSeconds() + " s: "
                    : "A job exited before it caught up: ");
        for (Job job : behind) {
          message.append(
              format(
                  "%s has processed %,d of %,d %s%s (log: %s); ",
                  job.title(),
                  job.printed.get(),
                  produced,
                  feeder.what(),
                  job.process.isAlive() ? "" : " and exited",
                  job.process.logFile()));
        }
        System.out.println(message.append("stopping anyway.").toString());
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Sends every job SIGTERM at once (each stops gracefully, SIGKILL after a grace period) and waits
   * for all.
   */
  private void stopJobs(List<Throwable> errors) {
    List<Thread> stoppers = new ArrayList<>();
    for (Job job : jobs) {
      Thread stopper =
          new Thread(
              () -> {
                try {
                  job.process.stop(JOB_STOP_WAIT);
                } catch (RuntimeException e) {
                  errors.add(e);
                }
              },
              "demo-stop-" + job.name);
      stopper.start();
      stoppers.add(stopper);
    }
    for (Thread stopper : stoppers) {
      try {
        // JavaProcess.stop is bounded: the grace period, then at most 30 s after SIGKILL.
        stopper.join(JOB_STOP_WAIT.plusSeconds(35).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void printSummary() {
    System.out.println("Summary:");
    if (feeder != null) {
      long produced = feeder.delivered();
      boolean all = !jobs.isEmpty();
      for (Job job : jobs) {
        long processed = job.processed();
        all &= processed == produced;
        System.out.println(
            format(
                "  %s processed %,d of %,d %s%s",
                job.title(),
                processed,
                produced,
                feeder.what(),
                job.total.get() < 0 ? " (counted from its batch lines: it printed no total)" : ""));
      }
      System.out.println(
          format(
              all
                  ? "  every job processed exactly the %,d %s"
                  : "  not every job processed exactly the %,d %s: see the jobs' logs in " + work,
              produced,
              feeder.what()));
    }
    System.out.println("  start: " + startTimes());
  }

  private String startTimes() {
    StringBuilder line = new StringBuilder();
    long firstLine =
        jobs.stream()
            .mapToLong(job -> job.firstBatchMillis.get())
            .filter(t -> t > 0)
            .min()
            .orElse(0);
    line.append(
        firstLine > 0
            ? format("first batch line %.1f s after the command", since(firstLine))
            : "no batch line");
    for (Job job : jobs) {
      long first = job.firstRecordsMillis.get();
      line.append(
          format(
              ", %s job's first records %s",
              job.label, first > 0 ? format("%.1f s", since(first)) : "never"));
    }
    return line.toString();
  }

  /**
   * Formats with the same separators whatever the machine's locale: {@code 20,118} and {@code
   * 12.4}.
   */
  private static String format(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static void closeQuietly(AutoCloseable resource, List<Throwable> errors) {
    try {
      resource.close();
    } catch (Exception e) {
      errors.add(e);
    }
  }

  /**
   * The directory for the demo's logs and files, {@code .sparking/demo} under the working
   * directory.
   */
  Path work() {
    return work;
  }

  /** Prints the next start-up step. */
  void step(String what) {
    System.out.println("[" + (++step) + "/" + steps + "] " + what + " ...");
  }

  /** Prints what a step achieved, with the seconds since the command started. */
  void done(String what) {
    System.out.println(format("      %s (%.1f s)", what, seconds()));
  }

  private double seconds() {
    return since(System.currentTimeMillis());
  }

  private double since(long epochMillis) {
    return (epochMillis - startMillis) / 1e3;
  }

  /**
   * Takes {@code source} (a broker, an agent) to close after the jobs stopped, in reverse order of
   * starting.
   */
  <T extends AutoCloseable> T source(T source) {
    sources.push(source);
    return source;
  }

  /**
   * Starts {@code feeder}, the demo's one sample text: it stops before the jobs, which then process
   * all it delivered before they stop.
   */
  void feed(SampleText feeder) {
    if (this.feeder != null) {
      throw new IllegalStateException(
          "The demo already feeds "
              + this.feeder.what()
              + "; it compares every job"
              + " with one sample text");
    }
    this.feeder = feeder;
    feeder.start();
  }

  /**
   * Starts {@code job} with {@code args} in a JVM of its own through the launcher, adding the
   * demo's batch interval and a fresh checkpoint directory; its batch lines are printed with {@code
   * label} in front, and the summary calls it the {@code label} job.
   */
  void startJob(String label, String job, List<String> args) throws IOException {
    List<String> all = new ArrayList<>();
    all.add(job);
    all.addAll(args);
    all.addAll(
        List.of(
            "--batch-interval",
            batchInterval,
            "--checkpoint-dir",
            checkpoints.resolve(job).toString()));
    List<String> jvm = new ArrayList<>(JvmFlags.forLocalJob());
    // The start is CPU-bound on a small machine (three or four JVMs at once), so the jobs leave out
    // work the demo
    // never gains from. The JIT's optimizing compiler pays back only at rates far above the demo's:
    // with the quick
    // compiler alone a job spent half the CPU up to its first batch (about 4 s instead of 8 s on 2
    // cores). Nobody
    // looks at Spark's web UI during the demo: without it a job starts no web server and takes no
    // port.
    jvm.add("-XX:TieredStopAtLevel=1");
    jvm.add("-Dspark.ui.enabled=false");
    Job started = new Job(label, job, String.format("[%-8s] ", label));
    started.process =
        JavaProcess.start(
            job,
            jvm,
            System.getProperty("java.class.path"),
            Sparking.class.getName(),
            all,
            work,
            work.resolve(job + ".log"),
            started::read);
    jobs.add(started);
  }

  /** Prints, once, when every job has processed its first records: the moment the start is over. */
  private void reportFlowing() {
    if (!flowReported && jobs.stream().allMatch(job -> job.firstRecordsMillis.get() > 0)) {
      synchronized (this) {
        if (!flowReported) {
          flowReported = true;
          System.out.println(format("      data flows through every job (%.1f s)", seconds()));
        }
      }
    }
  }

  /**
   * A job's JVM and what its output said so far: the records of its batch lines, its total, and
   * when.
   */
  private final class Job {
    final String label;
    final String name;
    final String prefix;
    final AtomicLong printed = new AtomicLong();
    final AtomicLong total = new AtomicLong(-1);
    final AtomicLong firstBatchMillis = new AtomicLong();
    final AtomicLong firstRecordsMillis = new AtomicLong();
    JavaProcess process;

    Job(String label, String name, String prefix) {
      this.label = label;
      this.name = name;
      this.prefix = prefix;
    }

    /** How the summary names it: {@code receiver job (KafkaSingleTopic)}. */
    String title() {
      return label + " job (" + name + ")";
    }

    /**
     * Its {@code total records=} line, or the sum of its batch lines when it printed none (it was
     * killed).
     */
    long processed() {
      return total.get() >= 0 ? total.get() : printed.get();
    }

    /**
     * Takes one line of the job's output (on the thread that copies it); prints what the demo
     * shows.
     */
    void read(String line) {
      if (!SHOWN.matcher(line).matches()) {
        return;
      }
      System.out.println(prefix + line);
      Matcher batch = BATCH.matcher(line);
      if (batch.matches()) {
        long records = Long.parseLong(batch.group(1));
        printed.addAndGet(records);
        long now = System.currentTimeMillis();
        firstBatchMillis.compareAndSet(0, now);
        if (records > 0 && firstRecordsMillis.compareAndSet(0, now)) {
          reportFlowing();
        }
        return;
      }
      Matcher total = TOTAL.matcher(line);
      if (total.matches()) {
        this.total.set(Long.parseLong(total.group(1)));
      }
    }
  }
}
