package io.sparking.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.examples.JobRunner.JobRun;
import io.sparking.testkit.FlumeAgent;
import io.sparking.testkit.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs each Flume job as its users do, in a JVM of its own through its {@code main}, against real Flume agents
 * started from the configurations in {@code conf/flume}, fed by appending lines to the files they follow.
 */
class FlumeJobsTest {
  private static final int EVENTS = 2_000;
  /** Safety stop: a job that misses events ends by itself, and the test fails on its total. */
  private static final String SAFETY_DURATION = "90";

  @TempDir Path work;
  private JobRunner jobs;

  @BeforeEach
  void createRunner() {
    jobs = new JobRunner(work);
  }

  @Test
  void flumeSinglePushBasedReceivesExactlyTheEventsOfOneAgent() throws Exception {
    Path input = append(work.resolve("push.log"), lines("push", EVENTS));
    try (FlumeAgent agent = FlumeConfigs.agent("push-single.properties", "agent")
        .placeholder("FLUME_INPUT_FILE", input)
        .port("FLUME_RECEIVER_PORT")
        .start()) {
      JobRun run = runUntilAll("FlumeSinglePushBased", "local[2]", "127.0.0.1",
          String.valueOf(agent.port("FLUME_RECEIVER_PORT")));
      assertThat(run.lines()).anyMatch(l -> l.matches("batch \\S+ records=\\d+ top=push:\\d+.*"));
    }
  }

  @Test
  void flumeMultiPushBasedReceivesExactlyTheEventsOfTwoAgents() throws Exception {
    append(work.resolve("push1.log"), lines("one", EVENTS / 2));
    append(work.resolve("push2.log"), lines("two", EVENTS / 2));
    try (FlumeAgent push1 = pushMultiAgent("push1", "FLUME_RECEIVER_PORT_1");
        FlumeAgent push2 = pushMultiAgent("push2", "FLUME_RECEIVER_PORT_2")) {
      runUntilAll("FlumeMultiPushBased", "local[3]", "127.0.0.1:" + push1.port("FLUME_RECEIVER_PORT_1")
          + ",127.0.0.1:" + push2.port("FLUME_RECEIVER_PORT_2"));
    }
  }

  @Test
  void flumeSinglePullBasedReceivesExactlyTheEventsOfOneAgent() throws Exception {
    Path input = append(work.resolve("pull.log"), lines("pull", EVENTS));
    try (FlumeAgent agent = FlumeConfigs.agent("pull-single.properties", "agent")
        .placeholder("FLUME_INPUT_FILE", input)
        .listenPort("FLUME_SINK_PORT")
        .start()) {
      JobRun run = runUntilAll("FlumeSinglePullBased", "local[2]", "127.0.0.1",
          String.valueOf(agent.port("FLUME_SINK_PORT")));
      assertThat(run.lines()).anyMatch(l -> l.matches("batch \\S+ records=\\d+ top=pull:\\d+.*"));
    }
  }

  @Test
  void flumeMultiPullBasedReceivesExactlyTheEventsOfTwoAgents() throws Exception {
    append(work.resolve("pull1.log"), lines("one", EVENTS / 2));
    append(work.resolve("pull2.log"), lines("two", EVENTS / 2));
    try (FlumeAgent pull1 = pullMultiAgent("pull1", "FLUME_SINK_PORT_1");
        FlumeAgent pull2 = pullMultiAgent("pull2", "FLUME_SINK_PORT_2")) {
      runUntilAll("FlumeMultiPullBased", "local[2]", "127.0.0.1:" + pull1.port("FLUME_SINK_PORT_1")
          + ",127.0.0.1:" + pull2.port("FLUME_SINK_PORT_2"));
    }
  }

  @Test
  void wrongArgumentCountIsAUsageError() throws Exception {
    JobRun missing = jobs.runToEnd("FlumeSinglePushBased", "local[2]", "127.0.0.1");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.output()).contains("Missing required parameter: '<port>'").contains("Usage:");
    JobRun extra = jobs.runToEnd("FlumeMultiPullBased", "local[2]", "127.0.0.1:9999", "surplus");
    assertThat(extra.exit()).isEqualTo(2);
    assertThat(extra.output()).contains("Unmatched argument").contains("surplus");
  }

  @Test
  void badPortIsAUsageErrorThatNamesIt() throws Exception {
    JobRun word = jobs.runToEnd("FlumeSinglePullBased", "local[2]", "127.0.0.1", "99x");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.output()).contains("port '99x' of 127.0.0.1 is not a number")
        .contains("between 1 and 65535");
    JobRun range = jobs.runToEnd("FlumeSinglePushBased", "local[2]", "127.0.0.1", "70000");
    assertThat(range.exit()).isEqualTo(2);
    assertThat(range.output()).contains("port 70000 of 127.0.0.1 is out of range");
  }

  @Test
  void malformedAddressListIsAUsageError() throws Exception {
    JobRun noPort = jobs.runToEnd("FlumeMultiPullBased", "local[2]", "127.0.0.1:9991,agent2");
    assertThat(noPort.exit()).isEqualTo(2);
    assertThat(noPort.output()).contains("'127.0.0.1:9991,agent2' is not a list of host:port")
        .contains("agent1:9999,agent2:9999");
    JobRun empty = jobs.runToEnd("FlumeMultiPushBased", "local[3]", "127.0.0.1:9991,,127.0.0.1:9992");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.output()).contains("entry '' is empty");
    JobRun twice = jobs.runToEnd("FlumeMultiPushBased", "local[3]", "127.0.0.1:9991,127.0.0.1:9991");
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.output()).contains("address 127.0.0.1:9991 is given twice");
  }

  @Test
  void unreachablePullAgentFailsWithinTheConnectTimeout() throws Exception {
    int refusing = FreePorts.next();
    JobRun refused = jobs.runToEnd("FlumeSinglePullBased", "local[2]", "127.0.0.1", String.valueOf(refusing));
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.output()).contains("Could not reach a Flume agent's Sparking sink at 127.0.0.1:" + refusing)
        .contains("start the agent");

    // A port that accepts no more connections: a connect neither succeeds nor is refused, so only the timeout ends it.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Backlog backlog = Backlog.fill(full.getLocalPort())) {
      long start = System.nanoTime();
      JobRun silent = jobs.runToEnd("FlumeMultiPullBased", "local[2]",
          "127.0.0.1:" + full.getLocalPort() + ",127.0.0.1:" + refusing, "--connect-timeout", "3");
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertThat(silent.exit()).isEqualTo(1);
      assertThat(silent.output()).contains("at 127.0.0.1:" + full.getLocalPort() + " within 3 s");
      assertThat(seconds).as("seconds until the error").isLessThan(30);
    }
  }

  @Test
  void pushPortInUseFailsWithAMessageNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      JobRun run = jobs.runToEnd("FlumeMultiPushBased", "local[3]",
          "127.0.0.1:" + FreePorts.next() + ",127.0.0.1:" + port);
      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.output()).contains("port " + port + " on 127.0.0.1 is already in use");
    }
  }

  /** Runs the job until it counted {@link #EVENTS}; asserts a clean stop and exactly that many events. */
  private JobRun runUntilAll(String... jobAndArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of(jobAndArgs));
    args.addAll(List.of("--batch-interval", "1s", "--max-records", String.valueOf(EVENTS),
        "--duration", SAFETY_DURATION));
    JobRun run = jobs.runToEnd(args.toArray(String[]::new));
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).as("total; output:%n%s", run.tail()).isEqualTo(EVENTS);
    return run;
  }

  private FlumeAgent pushMultiAgent(String name, String portKey) {
    return FlumeConfigs.agent("push-multi.properties", name)
        .placeholder("FLUME_INPUT_DIR", work)
        .port(portKey)
        .start();
  }

  private FlumeAgent pullMultiAgent(String name, String portKey) {
    return FlumeConfigs.agent("pull-multi.properties", name)
        .placeholder("FLUME_INPUT_DIR", work)
        .listenPort(portKey)
        .start();
  }

  /** Lines such as {@code push 17}: the prefix is every line's first word, so it tops the word count. */
  private static List<String> lines(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + " " + i).toList();
  }

  private static Path append(Path file, List<String> lines) throws IOException {
    return Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Connections that fill a listening socket's accept queue, so that further connects go unanswered. */
  private record Backlog(List<Socket> sockets) implements AutoCloseable {
    static Backlog fill(int port) throws IOException {
      List<Socket> sockets = new ArrayList<>();
      // The kernel queues backlog + 1 connections; a few more attempts make sure the queue is full.
      for (int i = 0; i < 8; i++) {
        Socket socket = new Socket();
        try {
          socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
          sockets.add(socket);
        } catch (IOException full) {
          socket.close();
          return new Backlog(sockets);
        }
      }
      throw new IllegalStateException("the accept queue of port " + port + " did not fill up");
    }

    @Override
    public void close() throws IOException {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}
