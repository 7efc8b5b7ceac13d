package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM's output, handed to a consumer, through its whole life including its stop. */
class JavaProcessTest {
  @TempDir Path work;

  /** Prints a line, then waits; on SIGTERM its shutdown hook prints one more line. */
  public static final class PrintsWhileStopping {
    public static void main(String[] args) throws InterruptedException {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopping")));
      System.out.println("started");
      Thread.sleep(120_000);
    }
  }

  @Test
  void linesPrintedWhileStoppingReachTheConsumer() {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (JavaProcess process =
        JavaProcess.start(
            "prints-while-stopping",
            List.of(),
            System.getProperty("java.class.path"),
            PrintsWhileStopping.class.getName(),
            List.of(),
            work,
            work.resolve("out.log"),
            lines::add)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("started"));
      process.stop(Duration.ofSeconds(20));
      assertThat(process.waitFor(Duration.ofSeconds(1))).isPresent();
    }
    assertThat(lines).containsExactly("started", "stopping");
  }
}
