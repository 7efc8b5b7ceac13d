package io.sparking.runtime.hadoop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * Runs Hadoop's own test HDFS ({@link MiniDFSCluster}), and when asked a {@link MiniYARNCluster},
 * on loopback in this JVM, and obeys one-line commands on standard input, so that the process that
 * started it (sparking-runtime's {@code HadoopCluster}) can restart a datanode mid-stream.
 *
 * <p>Arguments: {@code <dir> <name node port> <datanodes> <node managers> [<client setting>=<value>
 * ...]} (no YARN with 0 node managers). Once HDFS (and YARN) serve, it writes the client
 * configuration a job needs ({@code core-site.xml} naming this file system, {@code hdfs-site.xml}
 * with the client settings, {@code yarn-site.xml} with the resource manager's addresses) into
 * {@code <dir>/conf} and prints {@value #READY}. Commands: {@code restart-datanode <index>}
 * (answered by {@value #DONE} and the command), {@code shutdown}. End of input, as when the parent
 * dies, shuts down too.
 */
public final class MiniHadoop {
  /** The line that says HDFS serves and the client configuration is written. */
  public static final String READY = "MINIHADOOP READY";

  /** The prefix of the line that says a command finished. */
  public static final String DONE = "MINIHADOOP DONE";

  /** The prefix of the line that says a command failed, followed by the error. */
  public static final String FAILED = "MINIHADOOP FAILED";

  private MiniHadoop() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable e) {
      // HDFS's threads would keep the JVM alive after a failed start: say why and end it.
      System.out.println(FAILED + " start: " + e);
      e.printStackTrace(System.out);
      System.out.flush();
      Runtime.getRuntime().halt(1);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: MiniHadoop <dir> <name node port> <datanodes> <node managers>"
              + " [<client setting>=<value> ...]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    int nameNodePort = Integer.parseInt(args[1]);
    int datanodes = Integer.parseInt(args[2]);
    int nodeManagers = Integer.parseInt(args[3]);

    Configuration clientSite = new Configuration(false);
    for (int i = 4; i < args.length; i++) {
      int equals = args[i].indexOf('=');
      clientSite.set(args[i].substring(0, equals), args[i].substring(equals + 1));
    }

    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
    clientSite.forEach(setting -> conf.set(setting.getKey(), setting.getValue()));
    MiniDFSCluster dfs =
        new MiniDFSCluster.Builder(conf)
            .nameNodePort(nameNodePort)
            .numDataNodes(datanodes)
            .format(true)
            .build();
    dfs.waitActive();
    String fsUri = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
    Path confDir = Files.createDirectories(dir.resolve("conf"));
    Configuration coreSite = new Configuration(false);
    coreSite.set("fs.defaultFS", fsUri);
    writeSite(confDir.resolve("core-site.xml"), coreSite);
    writeSite(confDir.resolve("hdfs-site.xml"), clientSite);
    MiniYARNCluster yarn = nodeManagers > 0 ? startYarn(conf, fsUri, nodeManagers) : null;
    if (yarn != null) {
      // What a YARN client needs: the resource manager's addresses, with the ports it bound.
      Configuration yarnSite = new Configuration(false);
      for (Map.Entry<String, String> setting : yarn.getConfig()) {
        if (setting.getKey().startsWith("yarn.")) {
          yarnSite.set(setting.getKey(), setting.getValue());
        }
      }
      writeSite(confDir.resolve("yarn-site.xml"), yarnSite);
    }
    // SIGTERM from the parent's handle stops the containers and the datanodes too.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(yarn, dfs), "mini-hadoop-shutdown"));
    System.out.println(READY + " " + fsUri + " " + confDir);
    System.out.flush();

    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String command = line.trim();
        if (command.equals("shutdown")) {
          break;
        }
        try {
          if (command.startsWith("restart-datanode ")) {
            int index = Integer.parseInt(command.substring("restart-datanode ".length()).trim());
            // Same ports, so clients and the name node find it where it was.
            dfs.restartDataNode(index, true);
            dfs.waitActive();
          } else {
            throw new IllegalArgumentException("unknown command: " + command);
          }
          System.out.println(DONE + " " + command);
        } catch (Exception e) {
          System.out.println(FAILED + " " + command + ": " + e);
        }
        System.out.flush();
      }
    } finally {
      stop(yarn, dfs);
    }
  }

  private static MiniYARNCluster startYarn(Configuration hdfs, String fsUri, int nodeManagers)
      throws Exception {
    YarnConfiguration conf = new YarnConfiguration(hdfs);
    conf.set("fs.defaultFS", fsUri);
    // Room for a driver or application master and a few executors of 512 MB on each node.
    conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    // One queue for everything: the capacity scheduler would want a queue configuration first.
    conf.set(
        YarnConfiguration.RM_SCHEDULER,
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
    // A JVM's virtual memory is far above its heap; these checks would kill executors for nothing.
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    // A shared build machine's disk may be fuller than the 90% a node manager accepts.
    conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
    MiniYARNCluster yarn = new MiniYARNCluster("sparking", nodeManagers, 1, 1);
    yarn.init(conf);
    yarn.start();
    if (!yarn.waitForNodeManagersToConnect(60_000)) {
      throw new IllegalStateException(nodeManagers + " node managers did not register within 60 s");
    }
    return yarn;
  }

  private static synchronized void stop(MiniYARNCluster yarn, MiniDFSCluster dfs) {
    if (yarn != null && !yarn.isInState(org.apache.hadoop.service.Service.STATE.STOPPED)) {
      yarn.stop();
    }
    if (dfs.isClusterUp()) {
      dfs.shutdown(true);
    }
  }

  private static void writeSite(Path file, Configuration site) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      site.writeXml(out);
    }
  }
}
