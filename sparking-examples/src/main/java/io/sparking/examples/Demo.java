package io.sparking.examples;

import io.sparking.testkit.JavaProcess;
import io.sparking.testkit.JvmFlags;
import io.sparking.testkit.KafkaBroker;
import io.sparking.testkit.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: a real Kafka broker on loopback, a producer of sample text at a steady rate, and the single-topic
 * receiver job and the direct job reading it in local mode, each in its own JVM, their batch lines interleaved.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Starts a Kafka broker on 127.0.0.1, produces sample text, and runs KafkaSingleTopic and"
        + " KafkaDirectTopic on it. Ctrl-C stops everything.")
final class Demo implements Callable<Integer> {
  private static final String TOPIC = "sparking-demo";
  private static final Pattern SHOWN = Pattern.compile("^(batch |total records=|error:).*");

  @Option(names = "--duration", paramLabel = "<seconds>", defaultValue = "0",
      description = "Stop after this many seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE})")
  long durationSeconds;

  @Option(names = "--rate", paramLabel = "<lines/s>", defaultValue = "500",
      description = "Lines of sample text produced per second (default: ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--batch-interval", paramLabel = "<duration>", defaultValue = "2s",
      description = "The jobs' batch interval (default: ${DEFAULT-VALUE})")
  String batchInterval;

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || rate > 1_000_000) {
      throw new IllegalArgumentException("--rate=" + rate + ": pass 1..1000000 lines per second");
    }
    Path work = Files.createDirectories(Path.of(".sparking", "demo").toAbsolutePath());
    Path checkpoints = TempDirs.create("sparking-demo-checkpoints-");
    Thread onCtrlC = new Thread(() -> {
      stopRequested.countDown();
      try {
        stopped.await(90, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(onCtrlC);

    List<JavaProcess> jobs = new ArrayList<>();
    SampleTextProducer producer = null;
    KafkaBroker broker = null;
    long started = System.nanoTime();
    try {
      step(1, "Starting a Kafka broker (KRaft, its own JVM) on 127.0.0.1");
      broker = KafkaBroker.start();
      broker.createTopic(TOPIC, 4);
      done(started, "broker ready on " + broker.bootstrapServers() + ", topic " + TOPIC + " with 4 partitions");

      step(2, "Producing sample text at " + rate + " lines/s");
      producer = new SampleTextProducer(broker.producer(), TOPIC, rate);
      producer.start();

      step(3, "Starting KafkaSingleTopic (reliable receiver + write-ahead log) in local mode");
      jobs.add(startJob("KafkaSingleTopic", "receiver", broker, work, checkpoints));
      step(4, "Starting KafkaDirectTopic (direct stream, commit after output) in local mode");
      jobs.add(startJob("KafkaDirectTopic", "direct", broker, work, checkpoints));
      System.out.println("Data is flowing; batch lines follow. "
          + (durationSeconds > 0 ? "Stopping after " + durationSeconds + " s." : "Ctrl-C stops everything."));

      long deadline = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : 0;
      while (!stopRequested.await(500, TimeUnit.MILLISECONDS)) {
        if (deadline != 0 && System.nanoTime() - deadline >= 0) {
          break;
        }
        for (JavaProcess job : jobs) {
          if (!job.isAlive()) {
            throw new IllegalStateException(job + " exited early; its log is " + job.logFile() + ":\n"
                + job.logTail(20));
          }
        }
      }
      return StreamingJob.OK;
    } finally {
      System.out.println("Stopping: jobs finish their last batch, then the producer and the broker stop.");
      if (producer != null) {
        producer.close();
      }
      for (JavaProcess job : jobs) {
        job.stop(Duration.ofSeconds(45));
      }
      if (producer != null) {
        System.out.println("produced records=" + producer.sent());
      }
      if (broker != null) {
        broker.close();
      }
      TempDirs.deleteRecursively(checkpoints);
      System.out.println("Demo stopped; logs are in " + work);
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for this cleanup.
      }
    }
  }

  private JavaProcess startJob(String job, String label, KafkaBroker broker, Path work, Path checkpoints) {
    List<String> args = List.of(job, "local[2]", TOPIC, broker.bootstrapServers(), "--group", "demo-" + label,
        "--batch-interval", batchInterval, "--checkpoint-dir", checkpoints.resolve(job).toString());
    List<String> jvm = new ArrayList<>(JvmFlags.forSpark());
    jvm.add("-Xmx1g");
    String prefix = String.format("[%-8s] ", label);
    return JavaProcess.start(job, jvm, System.getProperty("java.class.path"), Sparking.class.getName(), args,
        work, work.resolve(job + ".log"), line -> {
          if (SHOWN.matcher(line).matches()) {
            System.out.println(prefix + line);
          }
        });
  }

  private static void step(int n, String what) {
    System.out.println("[" + n + "/4] " + what + " ...");
  }

  private static void done(long startedNanos, String what) {
    System.out.printf("      %s (%.1f s)%n", what, (System.nanoTime() - startedNanos) / 1e9);
  }

  /** Produces lines of sample text at a steady rate on its own thread until closed. */
  static final class SampleTextProducer implements AutoCloseable {
    private static final String[] WORDS = ("spark kafka flume stream batch receiver offset commit block log"
        + " partition topic agent sink source event record window state join").split(" ");

    private final org.apache.kafka.clients.producer.KafkaProducer<String, String> producer;
    private final String topic;
    private final int rate;
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    SampleTextProducer(org.apache.kafka.clients.producer.KafkaProducer<String, String> producer, String topic,
        int rate) {
      this.producer = producer;
      this.topic = topic;
      this.rate = rate;
      this.thread = new Thread(this::produce, "demo-producer");
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    long sent() {
      return sent.get();
    }

    private void produce() {
      java.util.Random random = new java.util.Random(42);
      long start = System.nanoTime();
      long n = 0;
      while (running) {
        StringBuilder line = new StringBuilder();
        for (int w = 0; w < 6; w++) {
          // Skewed choice, so the top words are stable enough to read.
          int i = (int) Math.floor(Math.pow(random.nextDouble(), 2) * WORDS.length);
          line.append(w == 0 ? "" : " ").append(WORDS[i]);
        }
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, line.toString()),
            (metadata, error) -> {
              if (error == null) {
                sent.incrementAndGet();
              }
            });
        n++;
        long due = start + n * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
      }
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(10));
    }
  }
}
