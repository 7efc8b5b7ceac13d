package io.sparking.demo;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FlumeConfFiles;
import io.sparking.runtime.FreePorts;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The Flume demo: sample text appended to two files, each followed by a real Flume agent ({@code
 * exec} source running {@code tail -F}). One agent pushes through its {@code avro} sink to
 * FlumeSinglePushBased; the other serves Sparking's pull sink to FlumeSinglePullBased. The agents
 * run the configurations in {@code conf/flume}.
 *
 * <p>The jobs start first, on ports chosen for them, since a Spark JVM takes longer to start than
 * an agent: the push agent's sink retries until the push job listens, and the pull job skips its
 * start-up check of the agent ({@code --connect-timeout 0}), its connections retrying until the
 * agent's sink serves.
 */
record FlumeDemo(int rate) implements DemoSession.Scenario {
  private static final String RECEIVER_PORT = "FLUME_RECEIVER_PORT";
  private static final String SINK_PORT = "FLUME_SINK_PORT";

  @Override
  public int steps() {
    return 5;
  }

  @Override
  public void start(DemoSession session) throws Exception {
    int receiverPort = FreePorts.next();
    int sinkPort = FreePorts.next();
    session.step(
        "Starting FlumeSinglePushBased (receiver on 127.0.0.1:"
            + receiverPort
            + ", write-ahead log) in"
            + " local mode");
    session.startJob(
        "push",
        "FlumeSinglePushBased",
        List.of("local[2]", "127.0.0.1", String.valueOf(receiverPort)));
    session.step(
        "Starting FlumeSinglePullBased (pulls from 127.0.0.1:"
            + sinkPort
            + ", acks after storing) in"
            + " local mode");
    session.startJob(
        "pull",
        "FlumeSinglePullBased",
        List.of("local[2]", "127.0.0.1", String.valueOf(sinkPort), "--connect-timeout", "0"));

    Path pushInput = session.work().resolve("flume-push-input.log");
    Path pullInput = session.work().resolve("flume-pull-input.log");
    session.step(
        "Appending sample text at "
            + rate
            + " lines/s to "
            + pushInput.getFileName()
            + " and "
            + pullInput.getFileName());
    session.feed(
        new SampleText("appended lines", rate, new FileSink(List.of(pushInput, pullInput))));

    session.step(
        "Starting a Flume agent (its own JVM): tail -F "
            + pushInput.getFileName()
            + " -> memory channel"
            + " -> avro sink (push)");
    // The port is the job's to listen on: start must not wait for the agent to accept there.
    FlumeAgent push =
        session.source(
            FlumeConfFiles.agent("push-single.properties", "agent")
                .placeholder("FLUME_INPUT_FILE", pushInput)
                .placeholder(RECEIVER_PORT, receiverPort)
                .start());
    session.done("push agent ready (pid " + push.pid() + "), sending to 127.0.0.1:" + receiverPort);

    session.step(
        "Starting a Flume agent (its own JVM): tail -F "
            + pullInput.getFileName()
            + " -> memory channel"
            + " -> Sparking sink (pull)");
    FlumeAgent pull =
        session.source(
            FlumeConfFiles.agent("pull-single.properties", "agent")
                .placeholder("FLUME_INPUT_FILE", pullInput)
                .listenPort(SINK_PORT, sinkPort)
                .start());
    session.done(
        "pull agent ready (pid " + pull.pid() + "), its sink serves on 127.0.0.1:" + sinkPort);
  }

  /** Appends every line to each of the files, which start empty; counts the lines written. */
  static final class FileSink implements SampleText.Sink {
    private final List<BufferedWriter> writers = new ArrayList<>();
    private long written;

    FileSink(List<Path> files) throws IOException {
      for (Path file : files) {
        // tail -n +1 reads a file from its first line: a file left by an earlier run would be sent
        // again.
        writers.add(
            Files.newBufferedWriter(
                file,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE));
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
