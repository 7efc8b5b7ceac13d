package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.flume.protocol.PullClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's plugin package, unpacked into a plugins.d directory as a Flume install would have it,
 * runs an agent.
 */
class FlumePluginPackageTest {
  /** The Flume version the package is built for, in its name; the agent here runs that Flume. */
  private static final String FLUME = "1.11.0";

  @TempDir Path pluginsDir;

  @Test
  void agentLoadsTheSinkFromTheUnpackedPluginPackage() throws Exception {
    Path tarball = pluginTarball();
    Process tar =
        new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", pluginsDir.toString())
            .inheritIO()
            .start();
    assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(tar.exitValue()).isZero();
    try (var jars = Files.list(pluginsDir.resolve("sparking/lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()).sorted().toList())
          .as("the sink and the protocol it speaks, nothing the agent already has")
          .hasSize(2)
          .satisfiesExactly(
              jar -> assertThat(jar).startsWith("sparking-flume-protocol-").endsWith(".jar"),
              jar -> assertThat(jar).startsWith("sparking-flume-sink-").endsWith(".jar"));
    }
    assertThat(pluginsDir.resolve("sparking/libext")).isDirectory();

    try (FlumeAgent agent =
        FlumeAgent.builder()
            .configuration(FlumeAgentTest.AVRO_TO_SPARKING_SINK)
            .pluginsDir(pluginsDir)
            .listenPort("SOURCE_PORT")
            .listenPort("SINK_PORT")
            .start()) {
      List<String> sent = FlumeAgentTest.send(agent.port("SOURCE_PORT"), "plugin", 500);
      try (PullClient puller = PullClient.connect("127.0.0.1", agent.port("SINK_PORT"))) {
        assertThat(puller.drain(sent.size(), 100, Duration.ofSeconds(30)))
            .containsExactlyElementsOf(sent);
      }
    }
  }

  /** The tarball the reactor built for sparking-flume-sink before this module's tests. */
  private static Path pluginTarball() throws Exception {
    Path target = Path.of("..", "sparking-flume-sink", "target").toAbsolutePath().normalize();
    try (var files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-flume-" + FLUME + "-plugin.tar.gz"))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "No *-flume-"
                          + FLUME
                          + "-plugin.tar.gz in "
                          + target
                          + ": build sparking-flume-sink first (./mvnw package -pl sparking-flume-sink)"));
    }
  }
}
