package io.sparking.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the classpath of a separate runtime (Kafka broker, Flume agent, ...) that the build resolved with
 * {@code dependency:build-classpath} into a resource of a {@code runtimes/*} module.
 */
final class RuntimeClasspath {
  private RuntimeClasspath() {}

  static String of(String runtime) {
    String resource = "/io/sparking/testkit/runtime/" + runtime + ".classpath";
    try (InputStream in = RuntimeClasspath.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Classpath resource " + resource + " is missing: build the runtimes with"
            + " ./mvnw install -DskipTests so the testkit can start " + runtime);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
