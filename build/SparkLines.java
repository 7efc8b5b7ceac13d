import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the Maven modules that lines/runtimes.tsv declares: one module per Spark runtime a line is
 * tested on, each resolving that Spark release's own jars into a classpath resource.
 *
 * <p>Run from the repository's root with the JDK alone: {@code java build/SparkLines.java} writes
 * the modules; {@code java build/SparkLines.java --check} writes nothing and fails, naming the
 * files, when they are not what the table gives (the build and CI run the check).
 */
public final class SparkLines {
  /** Where the runtime modules go, below the repository's root. */
  static final Path RUNTIMES = Path.of("runtimes", "spark-releases");

  record Runtime(String id, String spark, String scala, String line) {
    String artifactId() {
      return "sparking-runtime-spark-" + id;
    }
  }

  public static void main(String[] args) throws IOException {
    boolean check = args.length == 1 && args[0].equals("--check");
    if (args.length > 1 || (args.length == 1 && !check)) {
      System.err.println("usage: java build/SparkLines.java [--check]");
      System.exit(2);
    }
    Path root = Path.of("").toAbsolutePath();
    if (!Files.exists(root.resolve("lines/runtimes.tsv"))) {
      System.err.println("error: run from the repository's root (lines/runtimes.tsv not found)");
      System.exit(2);
    }
    String rootPom = Files.readString(root.resolve("pom.xml"));
    String version = firstGroup(rootPom, "<artifactId>sparking-parent</artifactId>\\s*<version>([^<]+)</version>");
    String dependencyPlugin =
        firstGroup(rootPom, "<artifactId>maven-dependency-plugin</artifactId>\\s*<version>([^<]+)</version>");
    List<Runtime> runtimes = readRuntimes(root.resolve("lines/runtimes.tsv"));

    Map<Path, String> files = new LinkedHashMap<>();
    files.put(RUNTIMES.resolve("pom.xml"), aggregator(runtimes, version, dependencyPlugin));
    for (Runtime runtime : runtimes) {
      files.put(RUNTIMES.resolve(runtime.id()).resolve("pom.xml"), runtimeModule(runtime, version));
    }

    List<String> stale = new ArrayList<>();
    for (Map.Entry<Path, String> file : files.entrySet()) {
      Path path = root.resolve(file.getKey());
      boolean current = Files.exists(path) && Files.readString(path).equals(file.getValue());
      if (current) {
        continue;
      }
      if (check) {
        stale.add(file.getKey() + (Files.exists(path) ? " differs" : " is missing"));
      } else {
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
        System.out.println("wrote " + file.getKey());
      }
    }
    // A module whose row was removed: its directory must go too.
    TreeSet<String> ids = new TreeSet<>();
    runtimes.forEach(r -> ids.add(r.id()));
    if (Files.isDirectory(root.resolve(RUNTIMES))) {
      try (Stream<Path> dirs = Files.list(root.resolve(RUNTIMES))) {
        for (Path dir : dirs.filter(Files::isDirectory).toList()) {
          String name = dir.getFileName().toString();
          if (!name.equals("target") && !ids.contains(name)) {
            stale.add(RUNTIMES.resolve(name) + " has no row in lines/runtimes.tsv: delete it");
          }
        }
      }
    }
    if (!stale.isEmpty()) {
      System.err.println("error: the modules generated from lines/runtimes.tsv are not current:");
      stale.forEach(s -> System.err.println("  " + s));
      System.err.println("run: java build/SparkLines.java (from the repository's root), and commit the result");
      System.exit(1);
    }
    if (check) {
      System.out.println("lines/runtimes.tsv: " + runtimes.size() + " runtime modules, all current");
    }
  }

  static List<Runtime> readRuntimes(Path table) throws IOException {
    List<Runtime> runtimes = new ArrayList<>();
    int number = 0;
    for (String line : Files.readAllLines(table)) {
      number++;
      String row = line.strip();
      if (row.isEmpty() || row.startsWith("#")) {
        continue;
      }
      String[] cells = row.split("\\s+");
      if (cells.length != 4
          || !cells[1].matches("\\d+\\.\\d+\\.\\d+")
          || !cells[2].matches("2\\.1[23]")
          || !cells[0].equals(cells[1] + "_" + cells[2])) {
        throw new IllegalArgumentException(
            table + ":" + number + ": expected 'runtime spark scala line' with runtime = spark_scala"
                + " (say 3.5.0_2.13 3.5.0 2.13 3.5_2.13), got: " + row);
      }
      runtimes.add(new Runtime(cells[0], cells[1], cells[2], cells[3]));
    }
    return runtimes;
  }

  static String aggregator(List<Runtime> runtimes, String version, String dependencyPlugin) {
    StringBuilder modules = new StringBuilder();
    for (Runtime runtime : runtimes) {
      modules.append("    <module>").append(runtime.id()).append("</module>\n");
    }
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Generated by build/SparkLines.java from lines/runtimes.tsv: edit the table, not this file. -->
        <project xmlns="http://maven.apache.org/POM/4.0.0"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
          <modelVersion>4.0.0</modelVersion>

          <!--
            Not a child of sparking-parent on purpose: its dependency management pins the default line's versions
            (SLF4J, Jackson, ...), which would override the versions of the Spark release a module resolves.
          -->
          <groupId>io.sparking</groupId>
          <artifactId>sparking-runtime-spark-releases</artifactId>
          <version>%s</version>
          <packaging>pom</packaging>
          <name>Sparking runtime: the Spark releases each line is tested on</name>
          <description>
            One module per row of lines/runtimes.tsv, each writing the classpath of one Spark release (core and
            streaming, with the versions that release's own build pins) into io/sparking/runtime/spark/(runtime).classpath,
            for SparkStandaloneCluster.builder().runtime(...). Tests only; nothing to publish.
          </description>

          <properties>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
            <maven.install.skip>true</maven.install.skip>
            <maven.deploy.skip>true</maven.deploy.skip>
          </properties>

          <modules>
        %s  </modules>

          <build>
            <pluginManagement>
              <plugins>
                <plugin>
                  <groupId>org.apache.maven.plugins</groupId>
                  <artifactId>maven-dependency-plugin</artifactId>
                  <version>%s</version>
                </plugin>
              </plugins>
            </pluginManagement>
          </build>
        </project>
        """
        .formatted(version, modules, dependencyPlugin);
  }

  static String runtimeModule(Runtime runtime, String version) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Generated by build/SparkLines.java from lines/runtimes.tsv: edit the table, not this file. -->
        <project xmlns="http://maven.apache.org/POM/4.0.0"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
          <modelVersion>4.0.0</modelVersion>
          <parent>
            <groupId>io.sparking</groupId>
            <artifactId>sparking-runtime-spark-releases</artifactId>
            <version>%2$s</version>
          </parent>

          <artifactId>%3$s</artifactId>
          <packaging>jar</packaging>
          <name>Sparking runtime: Spark %4$s, Scala %5$s</name>
          <description>The classpath of Spark %4$s (Scala %5$s), tested by the %6$s line.</description>

          <dependencyManagement>
            <dependencies>
              <!-- Spark's own pins for this release (Jackson, Netty, ...): the jars its distribution ships. -->
              <dependency>
                <groupId>org.apache.spark</groupId>
                <artifactId>spark-parent_%5$s</artifactId>
                <version>%4$s</version>
                <type>pom</type>
                <scope>import</scope>
              </dependency>
            </dependencies>
          </dependencyManagement>

          <dependencies>
            <dependency>
              <groupId>org.apache.spark</groupId>
              <artifactId>spark-streaming_%5$s</artifactId>
              <version>%4$s</version>
            </dependency>
          </dependencies>

          <build>
            <plugins>
              <plugin>
                <groupId>org.apache.maven.plugins</groupId>
                <artifactId>maven-dependency-plugin</artifactId>
                <executions>
                  <execution>
                    <id>write-classpath</id>
                    <phase>generate-resources</phase>
                    <goals><goal>build-classpath</goal></goals>
                    <configuration>
                      <includeScope>runtime</includeScope>
                      <outputFile>${project.build.outputDirectory}/io/sparking/runtime/spark/%1$s.classpath</outputFile>
                    </configuration>
                  </execution>
                </executions>
              </plugin>
            </plugins>
          </build>
        </project>
        """
        .formatted(
            runtime.id(),
            version,
            runtime.artifactId(),
            runtime.spark(),
            runtime.scala(),
            runtime.line());
  }

  private static String firstGroup(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    if (!matcher.find()) {
      throw new IllegalStateException("pom.xml: nothing matches " + regex);
    }
    return matcher.group(1);
  }
}
