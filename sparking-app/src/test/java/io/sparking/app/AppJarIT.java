package io.sparking.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The application jar holds the jobs and everything their connectors need, nothing Spark already
 * ships, and nothing that cannot run from it.
 */
@Tag("every-line")
class AppJarIT {
  static Path appJar() {
    Path jar = Path.of(System.getProperty("sparking.app.jar", "target/sparking-app.jar"));
    assertThat(jar).as("the application jar (built in the package phase)").exists();
    return jar;
  }

  /**
   * The jars of Spark's own classpath, as a Spark install of the line holds them (from
   * runtimes/spark, or lines/(line)/runtime-spark in lines/(line)/sparking-app).
   */
  static List<String> sparkClasspath() throws IOException {
    try (InputStream in =
        AppJarIT.class.getResourceAsStream("/io/sparking/runtime/spark.classpath")) {
      assertThat(in)
          .as("Spark's classpath resource of runtimes/spark or lines/<line>/runtime-spark")
          .isNotNull();
      return List.of(
          new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split(File.pathSeparator));
    }
  }

  @Test
  void holdsTheJobsAndTheConnectorsDependencies() throws IOException {
    try (ZipFile jar = new ZipFile(appJar().toFile())) {
      for (String job :
          List.of(
              "KafkaSingleTopic",
              "KafkaMultiTopics",
              "KafkaDirectTopic",
              "FlumeSinglePushBased",
              "FlumeMultiPushBased",
              "FlumeSinglePullBased",
              "FlumeMultiPullBased",
              "FlumeStructuredStreaming")) {
        assertThat(jar.getEntry("io/sparking/jobs/" + job + ".class")).as(job).isNotNull();
      }
      // format("flume") finds the source through Spark's service loader.
      var services =
          jar.getEntry("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister");
      assertThat(services).as("the DataSourceRegister services file").isNotNull();
      assertThat(new String(jar.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8))
          .contains("io.sparking.flume.sql.FlumeDataSource");
      for (String dependency :
          List.of(
              "io/sparking/kafka/SparkingKafka.class",
              "io/sparking/flume/SparkingFlume.class",
              "io/sparking/flume/sql/FlumeDataSource.class",
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
      jar.stream()
          .map(ZipEntry::getName)
          .filter(n -> n.endsWith(".class"))
          .forEach(appClasses::add);
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
    assertThat(clashes)
        .as(
            "Spark jars whose classes the application jar repeats: exclude them in the shade"
                + " plugin's artifactSet")
        .isEmpty();
  }

  @Test
  void everyClassOfOursLoadsFromTheJarAndSparksClasspathAlone() throws Exception {
    // What a cluster sees: the application jar on top of a Spark install, nothing of the build or
    // the tests. Loading a
    // class and listing its members resolves the types of its fields and signatures, so a class
    // that points at one
    // the jar leaves out (the demo's broker, say) fails here rather than on a cluster.
    List<URL> urls = new ArrayList<>();
    urls.add(appJar().toUri().toURL());
    for (String entry : sparkClasspath()) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    List<String> ours = new ArrayList<>();
    try (ZipFile jar = new ZipFile(appJar().toFile())) {
      jar.stream()
          .map(ZipEntry::getName)
          .filter(
              n ->
                  n.startsWith("io/sparking/")
                      && n.endsWith(".class")
                      && !n.endsWith("module-info.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
          .forEach(ours::add);
    }
    assertThat(ours)
        .as("our classes in the jar")
        .anyMatch(n -> n.equals("io.sparking.jobs.KafkaSingleTopic"));
    List<String> failures = new ArrayList<>();
    try (URLClassLoader cluster =
        new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      for (String name : ours) {
        try {
          Class<?> loaded = Class.forName(name, false, cluster);
          loaded.getDeclaredFields();
          loaded.getDeclaredMethods();
          loaded.getDeclaredConstructors();
        } catch (ClassNotFoundException | LinkageError e) {
          failures.add(name + ": " + e);
        }
      }
    }
    assertThat(failures)
        .as("classes of the application jar that cannot load on a cluster")
        .isEmpty();
  }
}
