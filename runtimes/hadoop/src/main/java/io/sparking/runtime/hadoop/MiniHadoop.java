package io.sparking.runtime.hadoop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Runs Hadoop's own test HDFS ({@link MiniDFSCluster}) on loopback in this JVM, and obeys one-line
 * commands on standard input, so that the process that started it (sparking-runtime's {@code
 * HadoopCluster}) can restart a datanode mid-stream.
 *
 * <p>Arguments: {@code <dir> <name node port> <datanodes> [<client setting>=<value> ...]}. Once
 * HDFS serves, it writes the client configuration a job needs ({@code core-site.xml} naming this
 * file system, {@code hdfs-site.xml} with the client settings) into {@code <dir>/conf} and prints
 * {@value #READY}. Commands: {@code restart-datanode <index>} (answered by {@value #DONE} and the
 * command), {@code shutdown}. End of input, as when the parent dies, shuts down too.
 */
public final class MiniHadoop {
  /** The line that says HDFS serves and the client configuration is written. */
  public static final String READY = "MINIHADOOP READY";

  /** The prefix of the line that says a command finished. */
  public static final String DONE = "MINIHADOOP DONE";

  /** The prefix of the line that says a command failed, followed by the error. */
  public static final String FAILED = "MINIHADOOP FAILED";

  private MiniHadoop() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println(
          "usage: MiniHadoop <dir> <name node port> <datanodes> [<client setting>=<value> ...]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    int nameNodePort = Integer.parseInt(args[1]);
    int datanodes = Integer.parseInt(args[2]);

    Configuration clientSite = new Configuration(false);
    for (int i = 3; i < args.length; i++) {
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
      dfs.shutdown(true);
    }
  }

  private static void writeSite(Path file, Configuration site) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      site.writeXml(out);
    }
  }
}
