package io.sparking.runtime;

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
 * <p>The list is declared once, as the {@code sparking.spark.jvm.flags} property of the parent POM;
 * the build filters it into this module's resources, so test forks, the launcher script and every
 * JVM the runtime starts use the same flags.
 */
public final class JvmFlags {
  private static final String RESOURCE = "spark-jvm-flags.txt";

  private JvmFlags() {}

  /** The flags a JVM that runs Spark needs, one list element per flag. */
  public static List<String> forSpark() {
    try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "Resource "
                + RESOURCE
                + " is missing next to "
                + JvmFlags.class.getName()
                + ": rebuild sparking-runtime with ./mvnw package -DskipTests");
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

  /**
   * The flags of a JVM that runs a local-mode job: Spark's flags on Java 17 and a heap that fits
   * such a job.
   */
  public static List<String> forLocalJob() {
    List<String> flags = new java.util.ArrayList<>(forSpark());
    flags.add("-Xmx1g");
    return flags;
  }
}
