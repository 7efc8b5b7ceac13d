package io.sparking.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** The application jar holds the jobs and everything their connectors need, and nothing Spark already ships. */
class AppJarIT {
  static Path appJar() {
    Path jar = Path.of(System.getProperty("sparking.app.jar", "target/sparking-app.jar"));
    assertThat(jar).as("the application jar (built in the package phase)").exists();
    return jar;
  }

  /** The jars of Spark's own classpath, as a Spark 3.5.1 install holds them. */
  static List<String> sparkClasspath() throws IOException {
    try (InputStream in = AppJarIT.class.getResourceAsStream("/io/sparking/testkit/runtime/spark.classpath")) {
      assertThat(in).as("Spark's classpath resource of runtimes/spark").isNotNull();
      return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split(File.pathSeparator));
    }
  }

  @Test
  void holdsTheJobsAndTheConnectorsDependencies() throws IOException {
    try (ZipFile jar = new ZipFile(appJar().toFile())) {
      for (String job : List.of("KafkaSingleTopic", "KafkaMultiTopics", "KafkaDirectTopic", "FlumeSinglePushBased",
          "FlumeMultiPushBased", "FlumeSinglePullBased", "FlumeMultiPullBased")) {
        assertThat(jar.getEntry("io/sparking/examples/" + job + ".class")).as(job).isNotNull();
      }
      for (String dependency : List.of(
          "io/sparking/kafka/SparkingKafka.class",
          "io/sparking/flume/SparkingFlume.class",
          "org/apache/spark/streaming/kafka010/KafkaUtils.class",
          "org/apache/spark/kafka010/KafkaConfigUpdater.class",
          "org/apache/kafka/clients/consumer/KafkaConsumer.class",
          "org/apache/flume/api/RpcClient.class",
          "org/apache/avro/ipc/netty/NettyServer.class",
          "picocli/CommandLine.class")) {
        assertThat(jar.getEntry(dependency)).as(dependency).isNotNull();
      }
    }
  }

  @Test
  void holdsNoClassOfSparksOwnClasspath() throws IOException {
    Set<String> appClasses = new TreeSet<>();
    try (ZipFile jar = new ZipFile(appJar().toFile())) {
      jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).forEach(appClasses::add);
    }
    List<String> clashes = new ArrayList<>();
    for (String entry : sparkClasspath()) {
      if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
        continue;
      }
      try (ZipFile spark = new ZipFile(entry)) {
        long shared = spark.stream().map(ZipEntry::getName).filter(appClasses::contains).count();
        if (shared > 0) {
          clashes.add(Path.of(entry).getFileName() + " (" + shared + " classes)");
        }
      }
    }
    assertThat(clashes).as("Spark jars whose classes the application jar repeats: exclude them in the shade"
        + " plugin's artifactSet").isEmpty();
  }
}
