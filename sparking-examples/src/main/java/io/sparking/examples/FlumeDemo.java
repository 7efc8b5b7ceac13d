package io.sparking.examples;

import io.sparking.testkit.FlumeAgent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The Flume demo: sample text appended to two files, each followed by a real Flume agent ({@code exec} source
 * running {@code tail -F}). One agent pushes through its {@code avro} sink to FlumeSinglePushBased; the other serves
 * Sparking's pull sink to FlumeSinglePullBased. The agents run the configurations in {@code conf/flume}.
 */
record FlumeDemo(int rate) implements DemoSession.Scenario {
  @Override
  public int steps() {
    return 5;
  }

  @Override
  public void start(DemoSession session) throws Exception {
    Path pushInput = session.work().resolve("flume-push-input.log");
    Path pullInput = session.work().resolve("flume-pull-input.log");
    session.step("Appending sample text at " + rate + " lines/s to " + pushInput.getFileName() + " and "
        + pullInput.getFileName());
    session.feed(new SampleText("appended lines", rate, new FileSink(List.of(pushInput, pullInput))));

    int receiverPort = startAgent(session, "push-single.properties", pushInput, "FLUME_RECEIVER_PORT",
        "avro sink (push)", "sending to");
    int sinkPort = startAgent(session, "pull-single.properties", pullInput, "FLUME_SINK_PORT",
        "Sparking sink (pull)", "its sink serves on");

    session.step("Starting FlumeSinglePushBased (receiver on 127.0.0.1:" + receiverPort + ", write-ahead log) in"
        + " local mode");
    session.startJob("push", "FlumeSinglePushBased", List.of("local[2]", "127.0.0.1", String.valueOf(receiverPort)));
    session.step("Starting FlumeSinglePullBased (pulls from 127.0.0.1:" + sinkPort + ", acks after storing) in"
        + " local mode");
    session.startJob("pull", "FlumeSinglePullBased", List.of("local[2]", "127.0.0.1", String.valueOf(sinkPort)));
  }

  /**
   * Starts the agent of {@code conf} following {@code input}, with a free port for {@code portKey}: one the agent
   * listens on (its pull sink), or, for the push agent, the one its avro sink sends to. Returns that port.
   */
  private static int startAgent(DemoSession session, String conf, Path input, String portKey, String sink,
      String portRole) {
    session.step("Starting a Flume agent (its own JVM): tail -F " + input.getFileName() + " -> memory channel -> "
        + sink);
    FlumeAgent.Builder builder = FlumeConfigs.agent(conf, "agent").placeholder("FLUME_INPUT_FILE", input);
    // The push agent's port is the job's to listen on: start must not wait for the agent to accept there.
    boolean push = conf.startsWith("push");
    FlumeAgent agent = session.source((push ? builder.port(portKey) : builder.listenPort(portKey)).start());
    int port = agent.port(portKey);
    session.done((push ? "push" : "pull") + " agent ready (pid " + agent.pid() + "), " + portRole + " 127.0.0.1:"
        + port);
    return port;
  }

  /** Appends every line to each of the files, which start empty; counts the lines written. */
  static final class FileSink implements SampleText.Sink {
    private final List<BufferedWriter> writers = new ArrayList<>();
    private long written;

    FileSink(List<Path> files) throws IOException {
      for (Path file : files) {
        // tail -n +1 reads a file from its first line: a file left by an earlier run would be sent again.
        writers.add(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
      }
    }

    @Override
    public synchronized void write(String line) throws IOException {
      for (BufferedWriter writer : writers) {
        writer.write(line);
        writer.newLine();
        // tail -F sees only what reached the file.
        writer.flush();
      }
      written++;
    }

    @Override
    public synchronized long delivered() {
      return written;
    }

    @Override
    public synchronized void close() throws IOException {
      for (BufferedWriter writer : writers) {
        writer.close();
      }
    }
  }
}
