package io.sparking.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads the classpath of a separate runtime (Kafka broker, Flume agent, ...) that the build
 * resolved with {@code dependency:build-classpath} into a resource of a {@code runtimes/*} module.
 */
final class RuntimeClasspath {
  private RuntimeClasspath() {}

  static String of(String runtime) {
    String resource = resourceName(runtime);
    try (InputStream in = RuntimeClasspath.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Classpath resource "
                + resource
                + " is missing: build the runtimes with"
                + " ./mvnw install -DskipTests so Sparking can start "
                + runtime);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The classpath of {@code runtime} plus the runtime module's own jar (or classes directory), for
   * runtimes that compile classes of their own, such as a shim.
   */
  static String withOwnClasses(String runtime) {
    URL url = RuntimeClasspath.class.getResource(resourceName(runtime));
    String list = of(runtime);
    try {
      Path own;
      if ("jar".equals(url.getProtocol())) {
        String file = url.getPath();
        own = Path.of(new URL(file.substring(0, file.indexOf("!/"))).toURI());
      } else {
        // A classes directory: climb from the resource file up through its package directories.
        own = Path.of(url.toURI());
        for (int depth = resourceName(runtime).substring(1).split("/").length; depth > 0; depth--) {
          own = own.getParent();
        }
      }
      return own + java.io.File.pathSeparator + list;
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException(
          "Cannot locate the jar of runtime " + runtime + " from " + url, e);
    }
  }

  private static String resourceName(String runtime) {
    return "/io/sparking/runtime/" + runtime + ".classpath";
  }
}
