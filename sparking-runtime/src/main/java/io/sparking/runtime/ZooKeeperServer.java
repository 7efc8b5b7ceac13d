package io.sparking.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache ZooKeeper server (standalone, the version Kafka {@value
 * KafkaBroker#ZOOKEEPER_MODE_VERSION} ships) running in a JVM of its own on a free loopback port,
 * with its data in a temporary directory: what a Kafka cluster of the Spark 2.4 era registered its
 * brokers in and what the 0.8 consumer kept its offsets in.
 *
 * <pre>{@code
 * try (ZooKeeperServer zk = ZooKeeperServer.start();
 *     KafkaBroker broker = KafkaBroker.startInZooKeeperMode(zk.connectString())) {
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the process by its handle and deletes the directory.
 */
public final class ZooKeeperServer extends ExternalServer {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperServer.class);

  /** How long {@link #start()} waits for the server to answer. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private static final String MAIN_CLASS = "org.apache.zookeeper.server.ZooKeeperServerMain";

  private final Path dir;
  private final int port;
  private final String classpath;

  private ZooKeeperServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
    this.classpath = RuntimeClasspath.of("kafka-broker-zk");
  }

  /**
   * Starts a server on a free port and waits until it answers {@code ruok}, at most {@link
   * #START_TIMEOUT}.
   */
  public static ZooKeeperServer start() {
    return startIn("sparking-zookeeper-", dir -> new ZooKeeperServer(dir, FreePorts.next()));
  }

  /** The address clients connect to, {@code 127.0.0.1:<port>}. */
  public String connectString() {
    return "127.0.0.1:" + port;
  }

  /** The client port. */
  public int port() {
    return port;
  }

  @Override
  protected String describe() {
    return "ZooKeeper on " + connectString();
  }

  @Override
  protected void launch() {
    Path config =
        writeFile(
            dir.resolve("zoo.cfg"),
            String.join(
                "\n",
                "tickTime=500",
                "initLimit=10",
                "syncLimit=5",
                "dataDir=" + dir.resolve("data"),
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                // No Jetty admin server on 8080: tests run side by side, and nothing here needs it.
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok,srvr",
                ""));
    Path logConfig = writeConsoleLogConfig(dir, "info");
    attach(
        JavaProcess.start(
            "zookeeper:" + port,
            List.of(
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + logConfig,
                "-Dzookeeper.admin.enableServer=false"),
            classpath,
            MAIN_CLASS,
            List.of(config.toString()),
            dir,
            dir.resolve("zookeeper.log")));
    awaitReady();
    LOG.info("ZooKeeper ready on {} (pid {})", connectString(), pid());
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!isRunning()) {
        throw new IllegalStateException(
            "ZooKeeper exited during start-up (port "
                + port
                + "). Log tail:\n"
                + process().logTail(40));
      }
      try {
        if ("imok".equals(fourLetterWord("ruok"))) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      pause(100);
    }
    String tail = process().logTail(40);
    stop();
    throw new IllegalStateException(
        "ZooKeeper on "
            + connectString()
            + " did not answer within "
            + START_TIMEOUT
            + " (last error: "
            + last
            + "). Log tail:\n"
            + tail);
  }

  private String fourLetterWord(String word) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
  }

  /** The last {@code lines} lines of the server's log. */
  public String logTail(int lines) {
    return process() == null ? "(ZooKeeper stopped)" : process().logTail(lines);
  }

  @Override
  protected Path scratchDir() {
    return dir;
  }
}
