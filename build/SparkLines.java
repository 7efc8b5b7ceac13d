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
 * Writes the Maven modules that the tables in lines/ declare.
 *
 * <ul>
 *   <li>lines/lines.tsv, one column per Spark line: for every line but the first (the default, whose
 *       POMs are the hand-written ones at the root), lines/(line)/ with a parent POM holding the
 *       column's values and one POM per Spark-dependent module, derived from the default line's POM
 *       of that module: the same dependencies and plugins, the artifacts renamed for the line, the
 *       sources read from the default line's module.
 *   <li>lines/runtimes.tsv: one module per Spark release a line is tested on, each resolving that
 *       release's own jars into a classpath resource.
 * </ul>
 *
 * <p>Run from the repository's root with the JDK alone: {@code java build/SparkLines.java} writes
 * the modules; {@code java build/SparkLines.java --check} writes nothing and fails, naming the
 * files, when they are not what the table gives (the build and CI run the check).
 */
public final class SparkLines {
  /** Where the runtime modules go, below the repository's root. */
  static final Path RUNTIMES = Path.of("runtimes", "spark-releases");

  /** Where the lines other than the default go, below the repository's root. */
  static final Path LINES = Path.of("lines");

  /**
   * The Spark-dependent modules, built once per line, in build order: the default line's directory
   * and the module's directory in lines/(line)/.
   */
  static final Map<String, String> LINE_MODULES = new LinkedHashMap<>();

  static {
    LINE_MODULES.put("sparking-bom", "sparking-bom");
    LINE_MODULES.put("runtimes/spark", "runtime-spark");
    LINE_MODULES.put("runtimes/hadoop", "runtime-hadoop");
    LINE_MODULES.put("sparking-core", "sparking-core");
    LINE_MODULES.put("sparking-kafka", "sparking-kafka");
    LINE_MODULES.put("sparking-flume", "sparking-flume");
    LINE_MODULES.put("sparking-flume-sql", "sparking-flume-sql");
    LINE_MODULES.put("sparking-compat", "sparking-compat");
    LINE_MODULES.put("sparking-compat-examples", "sparking-compat-examples");
    LINE_MODULES.put("sparking-jobs", "sparking-jobs");
    LINE_MODULES.put("sparking-demo", "sparking-demo");
    LINE_MODULES.put("sparking-app", "sparking-app");
  }

  /** A block of a default-line POM kept only on the lines where a property of lines.tsv has a value. */
  static final Pattern ONLY_WHERE =
      Pattern.compile(
          "^[ \\t]*<!-- only where (\\S+) is (\\S+) -->\\n(.*?)^[ \\t]*<!-- end only -->\\n",
          Pattern.MULTILINE | Pattern.DOTALL);

  /** The block of sparking-app's POM that lists the line's runtime modules. */
  static final Pattern RELEASES =
      Pattern.compile(
          "(<!-- begin releases: generated from lines/runtimes.tsv -->\\n)(.*?)(^[ \\t]*<!-- end releases -->)",
          Pattern.MULTILINE | Pattern.DOTALL);

  /** The table of lines: line ids in column order, and each property's value per line. */
  record Lines(List<String> ids, Map<String, List<String>> values, List<Runtime> runtimes) {
    String value(String property, String line) {
      return values.get(property).get(ids.indexOf(line));
    }

    String defaultLine() {
      return ids.get(0);
    }

    /** The properties a line sets: the table's, and the suffix of its artifacts' names. */
    Map<String, String> properties(String line) {
      Map<String, String> properties = new LinkedHashMap<>();
      values.keySet().forEach(p -> properties.put(p, value(p, line)));
      properties.put("sparking.line", line);
      properties.put("sparking.line.suffix", "-" + line);
      properties.put("sparking.spark.runtimes", String.join(",", runtimeIds(line)));
      return properties;
    }

    List<String> runtimeIds(String line) {
      return runtimes.stream().filter(r -> r.line().equals(line)).map(Runtime::id).toList();
    }

    /** sparking-app's dependencies on the runtime modules of {@code line}. */
    String releaseDependencies(String line) {
      StringBuilder deps = new StringBuilder();
      for (String id : runtimeIds(line)) {
        deps.append(
            """
                <dependency>
                  <groupId>io.sparking</groupId>
                  <artifactId>sparking-runtime-spark-%s</artifactId>
                  <version>${project.version}</version>
                  <scope>test</scope>
                  <exclusions>
                    <exclusion>
                      <groupId>*</groupId>
                      <artifactId>*</artifactId>
                    </exclusion>
                  </exclusions>
                </dependency>
            """
                .formatted(id));
      }
      return deps.toString();
    }
  }

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
    Lines lines = readLines(root.resolve("lines/lines.tsv"), runtimes);
    List<String> stale = new ArrayList<>();

    Map<Path, String> files = new LinkedHashMap<>();
    Map<String, String> defaultPoms = new LinkedHashMap<>();
    for (String module : LINE_MODULES.keySet()) {
      defaultPoms.put(module, Files.readString(root.resolve(module).resolve("pom.xml")));
    }
    checkDefaultLine(lines, rootPom, defaultPoms, stale);
    for (String line : lines.ids().subList(1, lines.ids().size())) {
      if (!rootPom.contains("<module>lines/" + line + "</module>")) {
        stale.add("pom.xml does not list the module lines/" + line + ": add it after the default line's modules");
      }
    }
    // The default line's application module lists its runtime modules in a generated block.
    files.put(
        Path.of("sparking-app", "pom.xml"),
        withReleases(defaultPoms.get("sparking-app"), lines, lines.defaultLine()));
    for (String line : lines.ids().subList(1, lines.ids().size())) {
      Path dir = LINES.resolve(line);
      files.put(dir.resolve("pom.xml"), lineParent(lines, line, version));
      for (Map.Entry<String, String> module : defaultPoms.entrySet()) {
        files.put(
            dir.resolve(LINE_MODULES.get(module.getKey())).resolve("pom.xml"),
            derive(module.getValue(), module.getKey(), lines, line, version));
      }
    }
    String spotlessPlugin =
        firstGroup(rootPom, "<artifactId>spotless-maven-plugin</artifactId>\\s*<version>([^<]+)</version>");
    files.put(
        RUNTIMES.resolve("pom.xml"), aggregator(runtimes, version, dependencyPlugin, spotlessPlugin));
    for (Runtime runtime : runtimes) {
      files.put(RUNTIMES.resolve(runtime.id()).resolve("pom.xml"), runtimeModule(runtime, version));
    }

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
    TreeSet<String> lineIds = new TreeSet<>(lines.ids().subList(1, lines.ids().size()));
    try (Stream<Path> dirs = Files.list(root.resolve(LINES))) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        if (!lineIds.contains(dir.getFileName().toString())) {
          stale.add(dir + " has no column in lines/lines.tsv: delete it");
        }
      }
    }
    if (!stale.isEmpty()) {
      System.err.println("error: the modules generated from lines/ are not current:");
      stale.forEach(s -> System.err.println("  " + s));
      System.err.println("run: java build/SparkLines.java (from the repository's root), and commit the result");
      System.exit(1);
    }
    if (check) {
      System.out.println(
          "lines/: "
              + (lines.ids().size() - 1)
              + " lines besides the default, "
              + runtimes.size()
              + " runtime modules, all current");
    }
  }

  static Lines readLines(Path table, List<Runtime> runtimes) throws IOException {
    List<String> ids = null;
    Map<String, List<String>> values = new LinkedHashMap<>();
    int number = 0;
    for (String line : Files.readAllLines(table)) {
      number++;
      String row = line.strip();
      if (row.isEmpty() || (row.startsWith("#") && !row.startsWith("# property"))) {
        continue;
      }
      String[] cells = row.replaceFirst("^# ", "").split("\\s+");
      if (ids == null) {
        if (!cells[0].equals("property")) {
          throw new IllegalArgumentException(table + ":" + number + ": expected the header row '# property <line> ...'");
        }
        ids = List.of(cells).subList(1, cells.length);
        for (String id : ids) {
          if (!id.matches("\\d+(\\.\\d+|\\.x)?_2\\.1[23]")) {
            throw new IllegalArgumentException(
                table + ":" + number + ": line '" + id + "': name it <spark line>_<scala version>, say 3.5_2.12");
          }
        }
        continue;
      }
      if (cells.length != ids.size() + 1) {
        throw new IllegalArgumentException(
            table + ":" + number + ": " + cells[0] + " has " + (cells.length - 1) + " values for "
                + ids.size() + " lines");
      }
      List<String> row0 = new ArrayList<>();
      for (int i = 1; i < cells.length; i++) {
        row0.add(cells[i].equals("-") ? "" : cells[i]);
      }
      values.put(cells[0], row0);
    }
    if (ids == null) {
      throw new IllegalArgumentException(table + ": no header row '# property <line> ...'");
    }
    for (Runtime runtime : runtimes) {
      if (!ids.contains(runtime.line())) {
        throw new IllegalArgumentException(
            "lines/runtimes.tsv: runtime " + runtime.id() + " names line " + runtime.line()
                + ", which is not a column of " + table);
      }
    }
    return new Lines(ids, values, runtimes);
  }

  /**
   * The default line's POMs are the source of every other line's: each property of the table they
   * declare must have the default column's value, and each "only where" block must hold for it.
   */
  static void checkDefaultLine(
      Lines lines, String rootPom, Map<String, String> defaultPoms, List<String> stale) {
    Map<String, String> poms = new LinkedHashMap<>();
    poms.put("pom.xml", rootPom);
    defaultPoms.forEach((module, pom) -> poms.put(module + "/pom.xml", pom));
    Map<String, String> expected = lines.properties(lines.defaultLine());
    for (Map.Entry<String, String> property : expected.entrySet()) {
      boolean declared = false;
      for (Map.Entry<String, String> pom : poms.entrySet()) {
        Matcher m = declaration(property.getKey()).matcher(pom.getValue());
        while (m.find()) {
          declared = true;
          if (!m.group(1).equals(property.getValue())) {
            stale.add(
                pom.getKey() + " declares " + property.getKey() + "=" + m.group(1)
                    + " but lines/lines.tsv gives the default line " + property.getValue());
          }
        }
      }
      if (!declared) {
        stale.add(
            "lines/lines.tsv: " + property.getKey()
                + " is declared by none of the default line's POMs (pom.xml and the line modules)");
      }
    }
    for (Map.Entry<String, String> pom : poms.entrySet()) {
      Matcher m = ONLY_WHERE.matcher(pom.getValue());
      while (m.find()) {
        if (!expected.containsKey(m.group(1)) || !expected.get(m.group(1)).equals(m.group(2))) {
          stale.add(
              pom.getKey() + ": a block 'only where " + m.group(1) + " is " + m.group(2)
                  + "' must hold for the default line, whose POM it is");
        }
      }
    }
  }

  private static Pattern declaration(String property) {
    String name = Pattern.quote(property);
    return Pattern.compile("<" + name + ">([^<]*)</" + name + ">");
  }

  /** The parent of a line's modules: the line's values, and the default line's sources. */
  static String lineParent(Lines lines, String line, String version) {
    StringBuilder properties = new StringBuilder();
    lines
        .properties(line)
        .forEach((p, v) -> properties.append("    <").append(p).append('>').append(v).append("</").append(p).append(">\n"));
    StringBuilder modules = new StringBuilder();
    LINE_MODULES.values().forEach(m -> modules.append("    <module>").append(m).append("</module>\n"));
    return pomHeader("lines/lines.tsv")
        + """
          <parent>
            <groupId>io.sparking</groupId>
            <artifactId>sparking-parent</artifactId>
            <version>%2$s</version>
            <relativePath>../../pom.xml</relativePath>
          </parent>

          <artifactId>sparking-line-%1$s</artifactId>
          <packaging>pom</packaging>
          <name>Sparking, line %1$s</name>
          <description>
            The Spark-dependent modules of the default line built again from the same sources, with the values of the
            %1$s column of lines/lines.tsv; artifacts named (module)-%1$s.
          </description>

          <properties>
        %3$s    <!-- Each module's sources: the default line's module of the same name (sparking.module). -->
            <sparking.shared.module>${project.basedir}/../../../${sparking.module}</sparking.shared.module>
          </properties>

          <profiles>
            <profile>
              <!-- -Pfaults runs every test on every line. -->
              <id>faults</id>
              <properties>
                <sparking.line.excludedGroups></sparking.line.excludedGroups>
                <sparking.line.groups></sparking.line.groups>
              </properties>
            </profile>
          </profiles>

          <modules>
        %4$s  </modules>

          <build>
            <sourceDirectory>${sparking.shared.module}/src/main/java</sourceDirectory>
            <testSourceDirectory>${sparking.shared.module}/src/test/java</testSourceDirectory>
            <resources>
              <resource>
                <directory>${sparking.shared.module}/src/main/resources</directory>
              </resource>
            </resources>
            <testResources>
              <testResource>
                <directory>${sparking.shared.module}/src/test/resources</directory>
              </testResource>
            </testResources>
          </build>
        </project>
        """
        .formatted(line, version, properties, modules);
  }

  /** A line's POM of {@code module}, derived from the default line's {@code pom}. */
  static String derive(String pom, String module, Lines lines, String line, String version) {
    String text = pom;
    // Blocks for some lines only.
    Matcher only = ONLY_WHERE.matcher(text);
    StringBuilder kept = new StringBuilder();
    while (only.find()) {
      boolean keep = line.equals(lines.defaultLine()) || lines.value(only.group(1), line).equals(only.group(2));
      only.appendReplacement(kept, Matcher.quoteReplacement(keep ? only.group(3) : ""));
    }
    only.appendTail(kept);
    text = kept.toString();
    text = withReleases(text, lines, line);
    // The line's parent, with its values and the shared sources.
    text =
        text.replaceFirst(
            "(?s)<parent>\\s*<groupId>io.sparking</groupId>\\s*<artifactId>sparking-parent</artifactId>.*?</parent>",
            Matcher.quoteReplacement(
                "<parent>\n    <groupId>io.sparking</groupId>\n    <artifactId>sparking-line-"
                    + line
                    + "</artifactId>\n    <version>"
                    + version
                    + "</version>\n    <relativePath>../pom.xml</relativePath>\n  </parent>"));
    boolean inherits = text.contains("<artifactId>sparking-line-" + line + "</artifactId>");
    // The line's artifacts.
    for (String module0 : LINE_MODULES.keySet()) {
      String artifact = artifactOf(module0);
      text =
          text.replace(
              "<artifactId>" + artifact + "-" + lines.defaultLine() + "</artifactId>",
              "<artifactId>" + artifact + "-" + line + "</artifactId>");
    }
    // The line's values wherever the default line's POM declares them.
    for (Map.Entry<String, String> property : lines.properties(line).entrySet()) {
      text =
          declaration(property.getKey())
              .matcher(text)
              .replaceAll(Matcher.quoteReplacement("<" + property.getKey() + ">" + property.getValue() + "</" + property.getKey() + ">"));
    }
    // Paths into the module's directory point into the default line's.
    text = text.replace("${project.basedir}", "${sparking.shared.module}");
    text = text.replaceFirst("<name>([^<]*)</name>", "<name>$1 (" + Matcher.quoteReplacement(line) + ")</name>");
    if (inherits) {
      String property = "    <sparking.module>" + module + "</sparking.module>\n";
      if (text.contains("\n  <properties>\n")) {
        text = text.replaceFirst("\n  <properties>\n", Matcher.quoteReplacement("\n  <properties>\n" + property));
      } else {
        text = text.replaceFirst("\n  <dependencies>\n", Matcher.quoteReplacement("\n  <properties>\n" + property + "  </properties>\n\n  <dependencies>\n"));
      }
    }
    return text.replaceFirst(
        "\\?>\n",
        Matcher.quoteReplacement(
            "?>\n<!-- Generated by build/SparkLines.java from "
                + module
                + "/pom.xml and lines/lines.tsv: edit those, not this file. -->\n"));
  }

  /** {@code pom} with its block of runtime modules listing those of {@code line}. */
  static String withReleases(String pom, Lines lines, String line) {
    Matcher releases = RELEASES.matcher(pom);
    if (!releases.find()) {
      return pom;
    }
    return pom.substring(0, releases.start(2))
        + lines.releaseDependencies(line)
        + pom.substring(releases.end(2));
  }

  private static String artifactOf(String module) {
    return module.startsWith("runtimes/") ? "sparking-runtime-" + module.substring("runtimes/".length()) : module;
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

  static String aggregator(
      List<Runtime> runtimes, String version, String dependencyPlugin, String spotlessPlugin) {
    StringBuilder modules = new StringBuilder();
    for (Runtime runtime : runtimes) {
      modules.append("    <module>").append(runtime.id()).append("</module>\n");
    }
    return pomHeader("lines/runtimes.tsv")
        + """

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
            <plugins>
              <plugin>
                <!-- No sources to format; declared so that ./mvnw spotless:apply from the root runs in every module. -->
                <groupId>com.diffplug.spotless</groupId>
                <artifactId>spotless-maven-plugin</artifactId>
                <version>%s</version>
                <configuration>
                  <skip>true</skip>
                </configuration>
              </plugin>
            </plugins>
          </build>
        </project>
        """
        .formatted(version, modules, dependencyPlugin, spotlessPlugin);
  }

  static String runtimeModule(Runtime runtime, String version) {
    return pomHeader("lines/runtimes.tsv")
        + """
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

  /** The opening every generated POM shares, naming the table it comes from. */
  private static String pomHeader(String table) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Generated by build/SparkLines.java from %s: edit the table, not this file. -->
        <project xmlns="http://maven.apache.org/POM/4.0.0"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
          <modelVersion>4.0.0</modelVersion>
        """
        .formatted(table);
  }

  private static String firstGroup(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    if (!matcher.find()) {
      throw new IllegalStateException("pom.xml: nothing matches " + regex);
    }
    return matcher.group(1);
  }
}
