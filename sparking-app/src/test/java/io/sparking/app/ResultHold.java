package io.sparking.app;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The test's side of {@link ResultHoldPlugin}: the spark-submit options that install the plugin,
 * and its switch. While the switch is on, every task that succeeds on an executor waits before
 * reporting, so a test can kill an executor that is running a task.
 */
final class ResultHold {
  private static final List<String> PLUGIN_CLASSES =
      List.of("ResultHoldPlugin.class", "ResultHoldPlugin$Holder.class");

  private final Path dir;
  private final Path switchFile;
  private final Path jar;

  private ResultHold(Path dir) {
    this.dir = dir;
    this.switchFile = dir.resolve("hold");
    this.jar = dir.resolve("result-hold-plugin.jar");
  }

  /** A hold whose switch and plugin jar live in {@code dir} (created); the switch is off. */
  static ResultHold in(Path dir) throws IOException {
    ResultHold hold = new ResultHold(Files.createDirectories(dir));
    hold.writePluginJar();
    return hold;
  }

  /**
   * The spark-submit options that install the plugin: its jar on the driver ({@code --jars}) and on
   * the executors' JVM classpath, where Spark looks for plugins when the executor starts.
   */
  List<String> sparkOptions() {
    return List.of(
        "--jars",
        jar.toString(),
        "--conf",
        "spark.executor.extraClassPath=" + jar,
        "--conf",
        "spark.plugins=" + ResultHoldPlugin.class.getName(),
        "--conf",
        ResultHoldPlugin.SWITCH + "=" + switchFile);
  }

  /** Turns the switch on: from now on, tasks that succeed wait before they report. */
  void engage() throws IOException {
    Files.createFile(switchFile);
  }

  /**
   * Turns the switch off: held tasks report, and no task waits any more; forgets which executors
   * held tasks.
   */
  void release() throws IOException {
    Files.deleteIfExists(switchFile);
    Optional<String> executor;
    while ((executor = heldExecutor()).isPresent()) {
      Files.deleteIfExists(ResultHoldPlugin.heldMarker(switchFile, executor.get()));
    }
  }

  /** Waits (bounded) until a task is held on some executor; that executor's id. */
  String awaitHeldExecutor(Duration timeout) {
    return await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(this::heldExecutor, Optional::isPresent)
        .orElseThrow();
  }

  private Optional<String> heldExecutor() throws IOException {
    String prefix = ResultHoldPlugin.heldMarker(switchFile, "").getFileName().toString();
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(name -> name.startsWith(prefix))
          .map(name -> name.substring(prefix.length()))
          .findFirst();
    }
  }

  private void writePluginJar() throws IOException {
    String pkg = ResultHoldPlugin.class.getPackageName().replace('.', '/');
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      for (String name : PLUGIN_CLASSES) {
        try (InputStream in = ResultHoldPlugin.class.getResourceAsStream(name)) {
          if (in == null) {
            throw new IOException(name + " is not on the test classpath next to ResultHoldPlugin");
          }
          out.putNextEntry(new JarEntry(pkg + "/" + name));
          in.transferTo(out);
          out.closeEntry();
        }
      }
    }
  }
}
