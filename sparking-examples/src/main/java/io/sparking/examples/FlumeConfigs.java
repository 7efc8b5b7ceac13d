package io.sparking.examples;

import io.sparking.testkit.FlumeAgent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The agent configurations of {@code conf/flume}, which the build copies onto the classpath (so the demo finds
 * them from any working directory, and runs what users run).
 */
final class FlumeConfigs {
  private FlumeConfigs() {}

  /** The text of {@code conf/flume/<file>}, placeholders unfilled. */
  static String text(String file) {
    String resource = "/conf/flume/" + file;
    try (InputStream in = FlumeConfigs.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Resource " + resource + " is missing: rebuild sparking-examples with"
            + " ./mvnw package -DskipTests");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A builder for agent {@code name} of {@code conf/flume/<file>}; fill its placeholders and start it. */
  static FlumeAgent.Builder agent(String file, String name) {
    return FlumeAgent.builder().name(name).configuration(text(file));
  }
}
