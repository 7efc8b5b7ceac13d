package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.protocol.PullClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent configurations under conf/flume, run as they are, with their placeholders filled. */
class FlumeConfFilesTest {
  private static final Path CONF = Path.of("..", "conf", "flume");
  private Path work;

  @BeforeEach
  void createWorkDir() {
    work = TempDirs.create("sparking-conf-test-");
  }

  @AfterEach
  void deleteWorkDir() {
    TempDirs.deleteRecursively(work);
  }

  private static List<String> lines(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
  }

  private static void append(Path file, List<String> lines) throws Exception {
    Files.write(
        file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void pullSingleServesTheFollowedFileToAPullingClient() throws Exception {
    Path input = work.resolve("in.log");
    List<String> first = lines("first", 300);
    append(input, first);
    try (FlumeAgent agent =
            FlumeAgent.builder()
                .name("agent")
                .configuration(CONF.resolve("pull-single.properties"))
                .placeholder("FLUME_INPUT_FILE", input)
                .listenPort("FLUME_SINK_PORT")
                .start();
        PullClient puller = PullClient.connect("127.0.0.1", agent.port("FLUME_SINK_PORT"))) {
      assertThat(puller.drain(first.size(), 1000, Duration.ofSeconds(30)))
          .containsExactlyElementsOf(first);

      List<String> later = lines("later", 200);
      append(input, later);
      assertThat(puller.drain(later.size(), 1000, Duration.ofSeconds(30)))
          .containsExactlyElementsOf(later);
      assertThat(puller.getEventBatch(10).getErrorMsg()).startsWith("No events");
    }
  }

  @Test
  void pullMultiRunsEachAgentOnItsOwnFileAndPort() throws Exception {
    for (String name : List.of("pull1", "pull2")) {
      append(work.resolve(name + ".log"), lines(name, 100));
    }
    try (FlumeAgent pull1 = pullMultiAgent("pull1", "FLUME_SINK_PORT_1");
        FlumeAgent pull2 = pullMultiAgent("pull2", "FLUME_SINK_PORT_2");
        PullClient one = PullClient.connect("127.0.0.1", pull1.port("FLUME_SINK_PORT_1"));
        PullClient two = PullClient.connect("127.0.0.1", pull2.port("FLUME_SINK_PORT_2"))) {
      assertThat(one.drain(100, 1000, Duration.ofSeconds(30)))
          .containsExactlyElementsOf(lines("pull1", 100));
      assertThat(two.drain(100, 1000, Duration.ofSeconds(30)))
          .containsExactlyElementsOf(lines("pull2", 100));
    }
  }

  private FlumeAgent pullMultiAgent(String name, String portKey) {
    return FlumeAgent.builder()
        .name(name)
        .configuration(CONF.resolve("pull-multi.properties"))
        .placeholder("FLUME_INPUT_DIR", work)
        .listenPort(portKey)
        .start();
  }

  @Test
  void pullDurableKeepsUnackedEventsInItsFileChannelAcrossAKill() throws Exception {
    Path input = work.resolve("in.log");
    List<String> sent = lines("durable", 200);
    append(input, sent);
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .name("agent")
            .configuration(CONF.resolve("pull-durable.properties"))
            .placeholder("FLUME_INPUT_FILE", input)
            .placeholder("FLUME_DATA_DIR", work.resolve("channel"))
            .listenPort("FLUME_SINK_PORT")
            .start()) {
      try (PullClient puller = PullClient.connect("127.0.0.1", agent.port("FLUME_SINK_PORT"))) {
        int taken = 0;
        while (taken < sent.size()) {
          taken += puller.getEventBatch(1000).getEvents().size();
        }
        assertThat(taken).isEqualTo(sent.size());
      }
      agent.kill();
      agent.restart();

      // The unacked events come back from the channel first; then the exec source, which keeps no
      // position,
      // reads the file again from its first line.
      List<String> expected = new java.util.ArrayList<>(sent);
      expected.addAll(sent);
      try (PullClient puller = PullClient.connect("127.0.0.1", agent.port("FLUME_SINK_PORT"))) {
        assertThat(puller.drain(expected.size(), 1000, Duration.ofSeconds(30)))
            .containsExactlyElementsOf(expected);
        assertThat(puller.getEventBatch(1000).getEvents()).isEmpty();
      }
    }
  }

  @Test
  void pushSingleDeliversTheFollowedFileToTheReceiver() throws Exception {
    Path input = work.resolve("in.log");
    List<String> sent = lines("push", 500);
    append(input, sent);
    int port = FreePorts.next();
    try (PushReceiverStub receiver = new PushReceiverStub(port);
        FlumeAgent agent =
            FlumeAgent.builder()
                .name("agent")
                .configuration(CONF.resolve("push-single.properties"))
                .placeholder("FLUME_INPUT_FILE", input)
                .placeholder("FLUME_RECEIVER_PORT", port)
                .start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.bodies.size() >= sent.size());
      assertThat(receiver.bodies).containsExactlyElementsOf(sent);
      assertThat(agent.isRunning()).isTrue();
    }
  }

  @Test
  void pushMultiSendsEachAgentsFileToItsOwnReceiver() throws Exception {
    for (String name : List.of("push1", "push2")) {
      append(work.resolve(name + ".log"), lines(name, 100));
    }
    int port1 = FreePorts.next();
    int port2 = FreePorts.next();
    try (PushReceiverStub receiver1 = new PushReceiverStub(port1);
        PushReceiverStub receiver2 = new PushReceiverStub(port2);
        FlumeAgent push1 = pushMultiAgent("push1", "FLUME_RECEIVER_PORT_1", port1);
        FlumeAgent push2 = pushMultiAgent("push2", "FLUME_RECEIVER_PORT_2", port2)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> receiver1.bodies.size() >= 100 && receiver2.bodies.size() >= 100);
      assertThat(receiver1.bodies).containsExactlyElementsOf(lines("push1", 100));
      assertThat(receiver2.bodies).containsExactlyElementsOf(lines("push2", 100));
      assertThat(push1.isRunning() && push2.isRunning()).isTrue();
    }
  }

  private FlumeAgent pushMultiAgent(String name, String portKey, int port) {
    return FlumeAgent.builder()
        .name(name)
        .configuration(CONF.resolve("push-multi.properties"))
        .placeholder("FLUME_INPUT_DIR", work)
        .placeholder(portKey, port)
        .start();
  }
}
