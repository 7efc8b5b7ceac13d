package io.sparking.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries, checked on the compiled classes of every module this one sees: an {@code
 * internal} package is used only inside its own module, and the jobs and the Spark 2.4
 * compatibility API build on the connectors' public API alone. And every package of the main code
 * says what it is for, read from the sources of every module.
 */
@Tag("default-line")
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    // Test classes are out, also those another module lends in its test jar (FaultScenario runs the
    // runtime).
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.sparking");
  }

  @Test
  void seesEveryModuleItChecks() {
    // A rule over classes that were not imported would pass for nothing.
    assertThat(
            List.of(
                "io.sparking.kafka.internal.ReliableKafkaReceiver",
                "io.sparking.flume.internal.AvroPushServer",
                "io.sparking.flume.sql.internal.FlumeTable",
                "io.sparking.flume.sink.SparkingSink",
                "io.sparking.flume.protocol.FrameGuard",
                "io.sparking.core.internal.DrainCoordinator",
                "io.sparking.jobs.KafkaSingleTopic",
                "io.sparking.runtime.KafkaBroker",
                "io.sparking.testkit.KafkaBrokerExtension",
                "io.sparking.compat.kafka.KafkaUtils",
                "io.sparking.compat.flume.FlumeUtils"))
        .allMatch(classes::contain);
  }

  @Test
  void kafkaInternalsStayInTheKafkaModule() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.sparking.kafka..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.kafka.internal..")
        .check(classes);
  }

  @Test
  void flumeReceiverInternalsStayInTheFlumeModule() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.sparking.flume", "io.sparking.flume.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.flume.internal..")
        .check(classes);
  }

  @Test
  void flumeSourceInternalsStayInTheFlumeSqlModule() {
    // The Structured Streaming source's log, options and readers; users reach it by
    // format("flume").
    noClasses()
        .that()
        .resideOutsideOfPackages("io.sparking.flume.sql..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.flume.sql.internal..")
        .check(classes);
  }

  @Test
  void sinkInternalsStayInTheSinkModule() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.sparking.flume.sink..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.flume.sink..")
        .check(classes);
  }

  @Test
  void coreInternalsStayInTheCoreModule() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.sparking.core..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.core.internal..")
        .check(classes);
  }

  @Test
  void jobsUseOnlyTheConnectorsPublicApi() {
    noClasses()
        .that()
        .resideInAPackage("io.sparking.jobs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "..internal..",
            "io.sparking.core.spi..",
            "io.sparking.flume.protocol..",
            "io.sparking.flume.sink..")
        .check(classes);
  }

  @Test
  void theCompatibilityApiUsesOnlyTheConnectorsPublicApi() {
    // The Spark 2.4 API is an adapter: the same receivers as the native API, reached through its
    // public factories.
    noClasses()
        .that()
        .resideInAPackage("io.sparking.compat..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.sparking.core.internal..",
            "io.sparking.kafka.internal..",
            "io.sparking.flume.internal..",
            "io.sparking.flume.protocol..",
            "io.sparking.flume.sink..",
            "io.sparking.jobs..",
            "io.sparking.runtime..",
            "io.sparking.testkit..")
        .check(classes);
  }

  @Test
  void compatInternalsStayInTheCompatModule() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.sparking.compat..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.compat.internal..")
        .check(classes);
  }

  @Test
  void theConnectorsKnowNothingOfTheCompatibilityApi() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.sparking.core..",
            "io.sparking.kafka..",
            "io.sparking.flume..",
            "io.sparking.jobs..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.compat..")
        .check(classes);
  }

  @Test
  void theLibrariesAndTheJobsNeverReachForTheProcessRuntimeOrTheTestkit() {
    // The runtime starts brokers, agents and clusters for the launcher, the demo and the tests; a
    // cluster runs none.
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.sparking.core..",
            "io.sparking.kafka..",
            "io.sparking.flume..",
            "io.sparking.jobs..",
            "io.sparking.compat..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.sparking.runtime..",
            "io.sparking.testkit..",
            "io.sparking.demo..",
            "io.sparking.bench..")
        .check(classes);
  }

  @Test
  void theConnectorsKnowNothingOfTheJobs() {
    noClasses()
        .that()
        .resideInAnyPackage("io.sparking.core..", "io.sparking.kafka..", "io.sparking.flume..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparking.jobs..")
        .check(classes);
  }

  @Test
  void everyPackageOfTheMainCodeSaysWhatItIsFor() throws IOException {
    // Read from the sources, not the classes: a package-info.java holding only a comment compiles
    // to no class, and this module's classpath lacks the demo and the benchmark.
    Path root = projectRoot();
    List<Path> packages = mainPackages(root);
    assertThat(packages)
        .as("the packages of the main code (a rule over none would pass for nothing)")
        .anyMatch(dir -> dir.endsWith(Path.of("io/sparking/kafka/internal")))
        .anyMatch(dir -> dir.endsWith(Path.of("io/sparking/bench")))
        .anyMatch(dir -> dir.endsWith(Path.of("io/sparking/runtime/hadoop")));
    List<String> undocumented = new ArrayList<>();
    for (Path dir : packages) {
      Path info = dir.resolve("package-info.java");
      if (!Files.exists(info) || !Files.readString(info).strip().startsWith("/**")) {
        undocumented.add(root.relativize(dir) + ": no package-info.java with a doc comment");
      } else if (dir.endsWith("internal") && !Files.readString(info).contains("Not an API")) {
        undocumented.add(
            root.relativize(info) + ": an internal package that does not say 'Not an API'");
      }
    }
    assertThat(undocumented).as("packages that do not say what they are for").isEmpty();
  }

  /** The directory holding lines/lines.tsv, at or above this module's. */
  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("lines/lines.tsv"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the project's root, above " + Path.of("").toAbsolutePath()).isNotNull();
    return dir;
  }

  /**
   * Every directory under a module's {@code src/main/java/io/sparking} that holds Java classes;
   * build output and the lines' generated modules (which compile the same sources) left out.
   */
  private static List<Path> mainPackages(Path root) throws IOException {
    List<Path> packages = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            String name = dir.getFileName().toString();
            boolean skipped =
                name.startsWith(".") || name.equals("target") || dir.equals(root.resolve("lines"));
            if (skipped && !dir.equals(root)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (dir.toString().contains("/src/main/java/io/sparking")) {
              try (var files = Files.list(dir)) {
                if (files.anyMatch(
                    file ->
                        file.toString().endsWith(".java") && !file.endsWith("package-info.java"))) {
                  packages.add(dir);
                }
              }
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return packages;
  }
}
