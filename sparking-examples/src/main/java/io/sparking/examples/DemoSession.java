package io.sparking.examples;

import io.sparking.testkit.JavaProcess;
import io.sparking.testkit.JvmFlags;
import io.sparking.testkit.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import sun.misc.Signal;

/**
 * What every demo does around its own sources: numbered start-up steps, job JVMs whose batch lines it prints with a
 * prefix, a run until {@code --duration} or Ctrl-C, and a stop in a fixed order that leaves no process behind: the
 * sample text stops first, then the jobs finish their last batch, then the sources (broker, agents) stop.
 */
final class DemoSession {
  /** One demo's sources and jobs, started through the session so that it stops them. */
  interface Scenario {
    /** How many {@link DemoSession#step} calls {@link #start} makes. */
    int steps();

    /** Starts the sources, the sample text and the jobs; everything started is handed to the session. */
    void start(DemoSession session) throws Exception;
  }

  private static final Pattern SHOWN = Pattern.compile("^(batch |total records=|error:).*");
  private static final Duration JOB_STOP_WAIT = Duration.ofSeconds(45);

  private final long durationSeconds;
  private final String batchInterval;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<SampleText> feeders = new ArrayList<>();
  private final List<JavaProcess> jobs = new ArrayList<>();
  private final Deque<AutoCloseable> sources = new ArrayDeque<>();
  private Path work;
  private Path checkpoints;
  private int steps;
  private int step;
  private long started;

  DemoSession(long durationSeconds, String batchInterval) {
    this.durationSeconds = durationSeconds;
    this.batchInterval = batchInterval;
  }

  /** Runs {@code scenario} until {@code --duration} passed or Ctrl-C, then stops everything; returns the exit code. */
  int run(Scenario scenario) throws Exception {
    work = Files.createDirectories(Path.of(".sparking", "demo").toAbsolutePath());
    checkpoints = TempDirs.create("sparking-demo-checkpoints-");
    steps = scenario.steps();
    onStopSignal("INT");
    onStopSignal("TERM");
    Thread onExit = new Thread(() -> {
      stopRequested.countDown();
      try {
        // Any other exit (SIGHUP, System.exit): hold the JVM until the cleanup below has stopped every process.
        stopped.await(90, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(onExit);
    started = System.nanoTime();
    try {
      scenario.start(this);
      System.out.println("Data is flowing; batch lines follow. "
          + (durationSeconds > 0 ? "Stopping after " + durationSeconds + " s." : "Ctrl-C stops everything."));
      awaitStop();
      return StreamingJob.OK;
    } finally {
      stopAll();
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onExit);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting for another reason: the hook is running and waits for this cleanup.
      }
    }
  }

  /**
   * Turns Ctrl-C (INT) or TERM into a stop request, so the JVM does not begin its shutdown: its hooks all run at
   * once, and the testkit's hooks would kill the jobs before they finish their last batch. The stop then runs in
   * order and the demo exits 0. A second signal exits at once.
   */
  private void onStopSignal(String name) {
    try {
      Signal.handle(new Signal(name), signal -> {
        if (stopRequested.getCount() == 0) {
          System.err.println("Second " + name + ": stopping at once.");
          System.exit(128 + signal.getNumber());
        }
        stopRequested.countDown();
      });
    } catch (IllegalArgumentException ignored) {
      // The signal is ignored (say, INT in a background job) or not available here: nothing to catch.
    }
  }

  private void awaitStop() throws InterruptedException {
    long deadline = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : 0;
    while (!stopRequested.await(500, TimeUnit.MILLISECONDS)) {
      if (deadline != 0 && System.nanoTime() - deadline >= 0) {
        return;
      }
      for (JavaProcess job : jobs) {
        if (!job.isAlive()) {
          throw new IllegalStateException(job + " exited early; its log is " + job.logFile() + ":\n"
              + job.logTail(20));
        }
      }
    }
  }

  private void stopAll() {
    System.out.println("Stopping: the sample text stops, jobs finish their last batch, then the sources stop.");
    List<Throwable> errors = new ArrayList<>();
    feeders.forEach(feeder -> closeQuietly(feeder, errors));
    for (JavaProcess job : jobs) {
      try {
        job.stop(JOB_STOP_WAIT);
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    feeders.forEach(feeder -> System.out.println(feeder.summary()));
    while (!sources.isEmpty()) {
      closeQuietly(sources.pop(), errors);
    }
    TempDirs.deleteRecursively(checkpoints);
    errors.forEach(e -> System.err.println("error while stopping: " + e));
    System.out.println("Demo stopped; logs are in " + work);
  }

  private static void closeQuietly(AutoCloseable resource, List<Throwable> errors) {
    try {
      resource.close();
    } catch (Exception e) {
      errors.add(e);
    }
  }

  /** The directory for the demo's logs and files, {@code .sparking/demo} under the working directory. */
  Path work() {
    return work;
  }

  /** Prints the next start-up step. */
  void step(String what) {
    System.out.println("[" + (++step) + "/" + steps + "] " + what + " ...");
  }

  /** Prints what a step achieved, with the seconds since the demo started. */
  void done(String what) {
    System.out.printf("      %s (%.1f s)%n", what, (System.nanoTime() - started) / 1e9);
  }

  /** Takes {@code source} (a broker, an agent) to close after the jobs stopped, in reverse order of starting. */
  <T extends AutoCloseable> T source(T source) {
    sources.push(source);
    return source;
  }

  /** Starts {@code feeder}, to stop before the jobs, and prints its summary at the end. */
  void feed(SampleText feeder) {
    feeders.add(feeder);
    feeder.start();
  }

  /**
   * Starts {@code job} with {@code args} in a JVM of its own through the launcher, adding the demo's batch interval
   * and a fresh checkpoint directory; its batch lines are printed with {@code label} in front.
   */
  void startJob(String label, String job, List<String> args) throws IOException {
    List<String> all = new ArrayList<>();
    all.add(job);
    all.addAll(args);
    all.addAll(List.of("--batch-interval", batchInterval, "--checkpoint-dir", checkpoints.resolve(job).toString()));
    String prefix = String.format("[%-8s] ", label);
    jobs.add(JavaProcess.start(job, jobJvmFlags(), System.getProperty("java.class.path"), Sparking.class.getName(),
        all, work, work.resolve(job + ".log"), line -> {
          if (SHOWN.matcher(line).matches()) {
            System.out.println(prefix + line);
          }
        }));
  }

  /** The flags of a job JVM: Spark's flags on Java 17 and a heap that fits a local-mode job. */
  static List<String> jobJvmFlags() {
    List<String> jvm = new ArrayList<>(JvmFlags.forSpark());
    jvm.add("-Xmx1g");
    return jvm;
  }
}
