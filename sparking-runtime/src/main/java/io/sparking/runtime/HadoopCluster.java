package io.sparking.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hadoop's own test HDFS (a {@code MiniDFSCluster} from {@code hadoop-client-minicluster}, at the
 * Hadoop version of the line's Spark) running in a JVM of its own on loopback: a name node on a
 * free port and {@code datanodes} datanodes, data in a temporary directory.
 *
 * <pre>{@code
 * try (HadoopCluster hadoop = HadoopCluster.start(3)) {
 *   String checkpoint = hadoop.uri("/jobs/words/checkpoint");   // hdfs://127.0.0.1:<port>/...
 *   // a job's JVM gets HADOOP_CONF_DIR=hadoop.confDir(), as on a Hadoop edge node
 *   hadoop.restartDataNode(0);
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the process by its handle and deletes the directory.
 */
public final class HadoopCluster extends ExternalServer {
  private static final Logger LOG = LoggerFactory.getLogger(HadoopCluster.class);

  /** How long {@link #start(int)} waits for HDFS to serve. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  /** How long a datanode restart may take. */
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  private static final String MAIN_CLASS = "io.sparking.runtime.hadoop.MiniHadoop";
  private static final String READY = "MINIHADOOP READY";
  private static final String DONE = "MINIHADOOP DONE";
  private static final String FAILED = "MINIHADOOP FAILED";

  private final Path dir;
  private final int nameNodePort;
  private final int datanodes;
  private final int nodeManagers;
  private final String classpath;
  private final Map<String, String> clientSettings;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

  private HadoopCluster(Path dir, int nameNodePort, int datanodes, int nodeManagers) {
    this.dir = dir;
    this.nameNodePort = nameNodePort;
    this.datanodes = datanodes;
    this.nodeManagers = nodeManagers;
    Map<String, String> client = new LinkedHashMap<>();
    // Two copies of each block (when there are two datanodes), so that a datanode restarting
    // mid-write leaves another holding what was written.
    client.put("dfs.replication", String.valueOf(Math.min(2, datanodes)));
    // A write whose pipeline lost a datanode takes a spare one in its place (ALWAYS: the default
    // policy never replaces one of two), and goes on with those left when no spare can join,
    // rather than fail: what a small cluster needs while its datanodes restart one by one.
    client.put("dfs.client.block.write.replace-datanode-on-failure.policy", "ALWAYS");
    client.put("dfs.client.block.write.replace-datanode-on-failure.best-effort", "true");
    this.clientSettings = java.util.Collections.unmodifiableMap(client);
    this.classpath = RuntimeClasspath.withOwnClasses("hadoop");
  }

  /**
   * Starts HDFS with {@code datanodes} datanodes (blocks are kept twice when there are two or
   * more), waiting at most {@link #START_TIMEOUT}.
   */
  public static HadoopCluster start(int datanodes) {
    return start(datanodes, 0);
  }

  /**
   * Starts HDFS as {@link #start(int)} does and a YARN cluster ({@code MiniYARNCluster}: a resource
   * manager and {@code nodeManagers} node managers of 4 cores and 4 GB each) that runs its
   * containers with this JVM's Java; {@link #confDir()} then also holds {@code yarn-site.xml}.
   */
  public static HadoopCluster startWithYarn(int datanodes, int nodeManagers) {
    if (nodeManagers < 1) {
      throw new IllegalArgumentException(
          "nodeManagers=" + nodeManagers + " is too few: pass 1 or more");
    }
    return start(datanodes, nodeManagers);
  }

  private static HadoopCluster start(int datanodes, int nodeManagers) {
    if (datanodes < 1) {
      throw new IllegalArgumentException("datanodes=" + datanodes + " is too few: pass 1 or more");
    }
    return startIn(
        "sparking-hadoop-",
        dir -> new HadoopCluster(dir, FreePorts.next(), datanodes, nodeManagers));
  }

  /** The file system's URI, {@code hdfs://127.0.0.1:<port>}. */
  public String fileSystemUri() {
    return "hdfs://127.0.0.1:" + nameNodePort;
  }

  /** {@code path} (absolute, starting with /) on this file system, as a full hdfs:// URI. */
  public String uri(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path=" + path + " is relative: start it with /");
    }
    return fileSystemUri() + path;
  }

  /**
   * The client configuration ({@code core-site.xml} with this file system as the default, {@code
   * hdfs-site.xml}, and with YARN {@code yarn-site.xml}): what {@code HADOOP_CONF_DIR} points a job
   * at.
   */
  public Path confDir() {
    return dir.resolve("conf");
  }

  /**
   * The Hadoop client settings a job on this cluster uses (also in {@link #confDir()}'s {@code
   * hdfs-site.xml}).
   */
  public Map<String, String> clientSettings() {
    return clientSettings;
  }

  /**
   * {@link #clientSettings()} as Spark configuration ({@code spark.hadoop.<setting>}), which Spark
   * hands to its Hadoop client: for {@code --conf} or a job's {@code SparkConf}.
   */
  public Map<String, String> sparkSettings() {
    Map<String, String> spark = new LinkedHashMap<>();
    clientSettings.forEach((key, value) -> spark.put("spark.hadoop." + key, value));
    return spark;
  }

  /**
   * Restarts datanode {@code index} (0-based) on its ports, as an operator's rolling restart does;
   * returns once the cluster has it back.
   */
  public void restartDataNode(int index) {
    if (index < 0 || index >= datanodes) {
      throw new IllegalArgumentException(
          "index=" + index + " is not a datanode: pass 0 to " + (datanodes - 1));
    }
    command("restart-datanode " + index);
  }

  private void command(String command) {
    if (!isRunning()) {
      throw new IllegalStateException(describe() + " is not running: cannot " + command);
    }
    answers.clear();
    process().sendLine(command);
    String answer;
    try {
      answer = answers.poll(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + command, e);
    }
    if (answer == null) {
      throw new IllegalStateException(
          describe()
              + " did not finish '"
              + command
              + "' within "
              + COMMAND_TIMEOUT
              + ". Log tail:\n"
              + process().logTail(40));
    }
    if (answer.startsWith(FAILED)) {
      throw new IllegalStateException(describe() + ": " + answer.substring(FAILED.length()).trim());
    }
  }

  @Override
  protected String describe() {
    return (nodeManagers > 0 ? "HDFS and YARN on " : "HDFS on ") + fileSystemUri();
  }

  @Override
  protected void launch() {
    Path logConfig = writeConsoleLogConfig(dir, "warn");
    answers.clear();
    attach(
        JavaProcess.start(
            "hadoop:" + nameNodePort,
            jvmArgs(logConfig),
            classpath,
            MAIN_CLASS,
            arguments(),
            dir,
            dir.resolve("hadoop.log"),
            line -> {
              if (line.startsWith(READY) || line.startsWith(DONE) || line.startsWith(FAILED)) {
                answers.add(line);
              }
            },
            // Node managers start containers with $JAVA_HOME/bin/java: this JVM's Java.
            Map.of("JAVA_HOME", Path.of(System.getProperty("java.home")).toString())));
    awaitReady();
    LOG.info("HDFS ready on {} with {} datanodes (pid {})", fileSystemUri(), datanodes, pid());
  }

  private List<String> jvmArgs(Path logConfig) {
    List<String> args = new ArrayList<>();
    args.add(nodeManagers > 0 ? "-Xmx1g" : "-Xmx512m");
    args.add("-XX:+UseSerialGC");
    args.add("-Dlog4j2.configurationFile=" + logConfig);
    // YARN's web applications (Guice, Jersey) reflect into the JDK, as Spark does.
    args.addAll(JvmFlags.forSpark());
    return args;
  }

  private List<String> arguments() {
    List<String> args = new ArrayList<>();
    args.add(dir.toString());
    args.add(String.valueOf(nameNodePort));
    args.add(String.valueOf(datanodes));
    args.add(String.valueOf(nodeManagers));
    clientSettings.forEach((key, value) -> args.add(key + "=" + value));
    return args;
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (answers.stream().anyMatch(a -> a.startsWith(READY))) {
        answers.clear();
        return;
      }
      if (!isRunning()) {
        throw new IllegalStateException(
            "HDFS exited during start-up (name node port "
                + nameNodePort
                + "). Log tail:\n"
                + process().logTail(40));
      }
      pause(100);
    }
    String tail = process().logTail(40);
    stop();
    throw new IllegalStateException(
        "HDFS on "
            + fileSystemUri()
            + " did not serve within "
            + START_TIMEOUT
            + ". Log tail:\n"
            + tail);
  }

  @Override
  protected Path scratchDir() {
    return dir;
  }
}
