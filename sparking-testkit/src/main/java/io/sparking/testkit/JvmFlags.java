package io.sparking.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Gives the JVM flags Spark needs on Java 17 ({@code --add-opens}/{@code --add-exports}).
 *
 * <p>The list is declared once, as the {@code sparking.spark.jvm.flags} property of the parent POM; the build filters
 * it into this module's resources, so test forks, the launcher script and every JVM the testkit starts use the same
 * flags.
 */
public final class JvmFlags {
  private static final String RESOURCE = "spark-jvm-flags.txt";

  private JvmFlags() {}

  /** The flags a JVM that runs Spark needs, one list element per flag. */
  public static List<String> forSpark() {
    try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Resource " + RESOURCE + " is missing next to " + JvmFlags.class.getName()
            + ": rebuild sparking-testkit with ./mvnw install -DskipTests");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The path of the {@code java} launcher of the JVM running this code. */
  public static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
