package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.jobs.JobRunner.JobRun;
import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FlumeConfFiles;
import io.sparking.runtime.FreePorts;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs each Flume job as its users do, in a JVM of its own through its {@code main}, against real
 * Flume agents started from the configurations in {@code conf/flume}, fed by appending lines to the
 * files they follow.
 */
@Tag("default-line")
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
    runAgainstAgents(
        "FlumeSinglePushBased", "local[2]", "push-single.properties", List.of("agent"));
  }

  @Test
  void flumeMultiPushBasedReceivesExactlyTheEventsOfTwoAgents() throws Exception {
    runAgainstAgents(
        "FlumeMultiPushBased", "local[3]", "push-multi.properties", List.of("push1", "push2"));
  }

  @Test
  void flumeSinglePullBasedReceivesExactlyTheEventsOfOneAgent() throws Exception {
    runAgainstAgents(
        "FlumeSinglePullBased", "local[2]", "pull-single.properties", List.of("agent"));
  }

  @Test
  void flumeMultiPullBasedReceivesExactlyTheEventsOfTwoAgents() throws Exception {
    runAgainstAgents(
        "FlumeMultiPullBased", "local[2]", "pull-multi.properties", List.of("pull1", "pull2"));
  }

  @Test
  void flumeStructuredStreamingWritesExactlyTheEventsOfTwoAgentsIntoTheFileSink() throws Exception {
    List<FlumeAgent> started = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    try {
      List<String> addresses = new ArrayList<>();
      for (int i = 1; i <= 2; i++) {
        List<String> events = lines("pull" + i, EVENTS / 2);
        sent.addAll(events);
        append(work.resolve("pull" + i + ".log"), events);
        started.add(
            FlumeConfFiles.agent("pull-multi.properties", "pull" + i)
                .placeholder("FLUME_INPUT_DIR", work)
                .listenPort("FLUME_SINK_PORT_" + i)
                .start());
        addresses.add("127.0.0.1:" + started.get(i - 1).port("FLUME_SINK_PORT_" + i));
      }
      Path out = work.resolve("out");
      JobRun run =
          jobs.runToEnd(
              "FlumeStructuredStreaming",
              "local[2]",
              String.join(",", addresses),
              "--trigger",
              "1s",
              "--max-records",
              String.valueOf(EVENTS),
              "--duration",
              SAFETY_DURATION,
              "--output-dir",
              out.toString());
      assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
      assertThat(run.total()).as("total; output:%n%s", run.tail()).isEqualTo(EVENTS);
      assertThat(run.lines()).anyMatch(l -> l.matches("batch \\d+ records=\\d+ processing=\\d+ms"));
      // A run that was not killed leaves only committed files: each body in one of them, once.
      List<String> written = new ArrayList<>();
      try (var files = Files.list(out)) {
        for (Path file :
            files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
          written.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
      }
      assertThat(written).containsExactlyInAnyOrderElementsOf(sent);
    } finally {
      closeAll(started);
    }
  }

  @Test
  void wrongArgumentCountIsAUsageError() throws Exception {
    JobRun missing = jobs.runToEnd("FlumeSinglePushBased", "local[2]", "127.0.0.1");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.output())
        .contains("Missing required parameter: '<port>'")
        .contains("Usage:");
    JobRun extra = jobs.runToEnd("FlumeMultiPullBased", "local[2]", "127.0.0.1:9999", "surplus");
    assertThat(extra.exit()).isEqualTo(2);
    assertThat(extra.output()).contains("Unmatched argument").contains("surplus");
  }

  @Test
  void badPortIsAUsageErrorThatNamesIt() throws Exception {
    JobRun word = jobs.runToEnd("FlumeSinglePullBased", "local[2]", "127.0.0.1", "99x");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.output())
        .contains("port='99x' (for 127.0.0.1) is not a number: pass 1 to 65535");
    JobRun range = jobs.runToEnd("FlumeSinglePushBased", "local[2]", "127.0.0.1", "70000");
    assertThat(range.exit()).isEqualTo(2);
    assertThat(range.output())
        .contains("port=70000 (for 127.0.0.1) is out of range: pass 1 to 65535");
  }

  @Test
  void malformedAddressListIsAUsageError() throws Exception {
    JobRun noPort = jobs.runToEnd("FlumeMultiPullBased", "local[2]", "127.0.0.1:9991,agent2");
    assertThat(noPort.exit()).isEqualTo(2);
    assertThat(noPort.output())
        .contains(
            "addresses='127.0.0.1:9991,agent2' is not a list of host:port (entry 'agent2' has no host")
        .contains("agent1:9999,agent2:9999");
    JobRun empty =
        jobs.runToEnd("FlumeMultiPushBased", "local[3]", "127.0.0.1:9991,,127.0.0.1:9992");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.output()).contains("entry '' is empty");
    JobRun twice =
        jobs.runToEnd("FlumeMultiPushBased", "local[3]", "127.0.0.1:9991,127.0.0.1:9991");
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.output())
        .contains(
            "addresses=127.0.0.1:9991,127.0.0.1:9991 is a list in which 127.0.0.1:9991 appears twice");
  }

  @Test
  void unreachablePullAgentFailsWithinTheConnectTimeout() throws Exception {
    int refusing = FreePorts.next();
    JobRun refused =
        jobs.runToEnd("FlumeSinglePullBased", "local[2]", "127.0.0.1", String.valueOf(refusing));
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.output())
        .contains("Could not reach a Flume agent's Sparking sink at 127.0.0.1:" + refusing)
        .contains("start the agent");

    // A port that accepts no more connections: a connect neither succeeds nor is refused; only the
    // timeout ends it.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Backlog backlog = Backlog.fill(full.getLocalPort())) {
      assertThat(backlog.sockets()).as("connections that fill the queue").isNotEmpty();
      long start = System.nanoTime();
      JobRun silent =
          jobs.runToEnd(
              "FlumeMultiPullBased",
              "local[2]",
              "127.0.0.1:" + full.getLocalPort() + ",127.0.0.1:" + refusing,
              "--connect-timeout",
              "3");
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
      JobRun run =
          jobs.runToEnd(
              "FlumeMultiPushBased",
              "local[3]",
              "127.0.0.1:" + FreePorts.next() + ",127.0.0.1:" + port);
      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.output()).contains("port " + port + " on 127.0.0.1 is already in use");
    }
  }

  /**
   * Starts {@code agents} of {@code conf/flume/<conf>}, each following its own file of an equal
   * share of {@link #EVENTS} lines, runs {@code job} against them until it counted {@link #EVENTS},
   * and asserts a clean stop with exactly that many, exactly the lines sent in its output files
   * (each once), one placement line per receiver, no warning from Spark about the storage level,
   * and top words from the single-agent jobs. The single-agent configurations take {@code <host>
   * <port>}, the others a list.
   */
  private void runAgainstAgents(String job, String master, String conf, List<String> agents)
      throws Exception {
    boolean push = conf.startsWith("push");
    boolean single = agents.size() == 1;
    List<FlumeAgent> started = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    try {
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < agents.size(); i++) {
        String name = agents.get(i);
        // The multi-agent files name each agent's port and followed file by its number.
        String portKey =
            (push ? "FLUME_RECEIVER_PORT" : "FLUME_SINK_PORT") + (single ? "" : "_" + (i + 1));
        List<String> events = lines(name, EVENTS / agents.size());
        sent.addAll(events);
        Path input = append(work.resolve(name + ".log"), events);
        FlumeAgent.Builder agent =
            FlumeConfFiles.agent(conf, name)
                .placeholder(
                    single ? "FLUME_INPUT_FILE" : "FLUME_INPUT_DIR", single ? input : work);
        // A push agent sends to the job's port, which nothing listens on before the job runs.
        started.add((push ? agent.port(portKey) : agent.listenPort(portKey)).start());
        addresses.add("127.0.0.1:" + started.get(i).port(portKey));
      }
      List<String> args = new ArrayList<>(List.of(job, master));
      args.addAll(
          single ? List.of(addresses.get(0).split(":")) : List.of(String.join(",", addresses)));
      args.addAll(
          List.of(
              "--batch-interval",
              "1s",
              "--max-records",
              String.valueOf(EVENTS),
              "--duration",
              SAFETY_DURATION,
              "--output-dir",
              work.resolve("out").toString()));
      JobRun run = jobs.runToEnd(args.toArray(String[]::new));
      assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
      assertThat(run.total()).as("total; output:%n%s", run.tail()).isEqualTo(EVENTS);
      new BatchFiles(work.resolve("out")).assertHoldsExactly(sent);
      // One placement line per receiver (one per push address, one pull receiver for all agents):
      // the job,
      // which checkpoints, registers the listener once.
      assertThat(run.receiverLines())
          .as("receiver lines; output:%n%s", run.tail())
          .hasSize(push ? agents.size() : 1);
      // With the write-ahead log on, the receivers ask for one copy of each block, so Spark has
      // nothing to correct.
      assertThat(run.output()).doesNotContain("is unnecessary when write ahead log is enabled");
      if (single) {
        // The single-agent jobs count words: every line starts with the agent's name.
        assertThat(run.lines())
            .anyMatch(l -> l.matches("batch \\S+ records=\\d+ top=agent:\\d+.*"));
      }
    } finally {
      closeAll(started);
    }
  }

  /** Closes every agent, even when closing one fails. */
  private static void closeAll(List<FlumeAgent> agents) {
    RuntimeException failed = null;
    for (FlumeAgent agent : agents) {
      try {
        agent.close();
      } catch (RuntimeException e) {
        if (failed == null) {
          failed = e;
        } else {
          failed.addSuppressed(e);
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * Lines such as {@code agent 17}: the prefix is every line's first word, so it tops the word
   * count.
   */
  private static List<String> lines(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + " " + i).toList();
  }

  private static Path append(Path file, List<String> lines) throws IOException {
    return Files.write(
        file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /**
   * Connections that fill a listening socket's accept queue, so that further connects go
   * unanswered.
   */
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
