package io.sparking.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The agent configurations of {@code conf/flume}, which the build copies onto this module's
 * classpath, so the demo and the tests find them from any working directory and run what users run.
 */
public final class FlumeConfFiles {
  private FlumeConfFiles() {}

  /** The text of {@code conf/flume/<file>}, placeholders unfilled. */
  public static String text(String file) {
    String resource = "/conf/flume/" + file;
    try (InputStream in = FlumeConfFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Resource "
                + resource
                + " is missing: rebuild sparking-runtime with"
                + " ./mvnw package -DskipTests");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A builder for agent {@code name} of {@code conf/flume/<file>}; fill its placeholders and start
   * it.
   */
  public static FlumeAgent.Builder agent(String file, String name) {
    return FlumeAgent.builder().name(name).configuration(text(file));
  }
}
