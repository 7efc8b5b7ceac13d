package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.NodeState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Hadoop mini cluster through Spark's own Hadoop client: what a write-ahead log does (write,
 * {@code hflush}, keep writing) goes on while a datanode restarts, and every line comes back.
 */
class HadoopClusterTest {
  private static HadoopCluster hadoop;

  @BeforeAll
  static void startHdfs() {
    hadoop = HadoopCluster.start(3);
  }

  @AfterAll
  static void stopHdfs() {
    if (hadoop != null) {
      hadoop.close();
    }
  }

  @Test
  void aFileHflushedWhileADatanodeRestartsKeepsEveryLine() throws Exception {
    Configuration conf = clientConf();
    Path file = new Path(hadoop.uri("/wal/log-1"));
    int lines = 3_000;
    try (FileSystem fs = FileSystem.newInstance(URI.create(hadoop.fileSystemUri()), conf)) {
      try (FSDataOutputStream out = fs.create(file)) {
        for (int i = 0; i < lines; i++) {
          out.write(("record-" + i + "\n").getBytes(StandardCharsets.UTF_8));
          // As Spark's write-ahead log does after each record it writes.
          out.hflush();
          if (i == lines / 3) {
            hadoop.restartDataNode(0);
          }
          if (i == 2 * lines / 3) {
            hadoop.restartDataNode(1);
          }
        }
      }
      List<String> read = new ArrayList<>();
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          read.add(line);
        }
      }
      assertThat(read).hasSize(lines);
      assertThat(read.get(0)).isEqualTo("record-0");
      assertThat(read.get(lines - 1)).isEqualTo("record-" + (lines - 1));
      assertThat(read).doesNotHaveDuplicates();
    }
  }

  @Test
  void theClientConfigurationNamesTheFileSystem() throws Exception {
    String coreSite =
        Files.readString(hadoop.confDir().resolve("core-site.xml"), StandardCharsets.UTF_8);
    assertThat(coreSite).contains("fs.defaultFS").contains(hadoop.fileSystemUri());
    String hdfsSite =
        Files.readString(hadoop.confDir().resolve("hdfs-site.xml"), StandardCharsets.UTF_8);
    assertThat(hdfsSite).contains("dfs.replication").contains("best-effort");
    assertThat(hadoop.sparkSettings()).containsEntry("spark.hadoop.dfs.replication", "2");
  }

  @Test
  void aDatanodeThatDoesNotExistIsRefusedWithTheRange() {
    assertThatThrownBy(() -> hadoop.restartDataNode(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("index=3 is not a datanode: pass 0 to 2");
    assertThatThrownBy(() -> hadoop.uri("relative/path")).hasMessageContaining("start it with /");
  }

  @Test
  void yarnClientsFindTheResourceManagerAndItsNodeManagersThroughTheWrittenConfiguration()
      throws Exception {
    try (HadoopCluster withYarn = HadoopCluster.startWithYarn(1, 2)) {
      Configuration conf = new Configuration(false);
      conf.addResource(new Path(withYarn.confDir().resolve("yarn-site.xml").toUri()));
      assertThat(conf.get("yarn.resourcemanager.address")).matches(".+:\\d+");
      // The resource manager's client protocol, as spark-submit --master yarn speaks it.
      YarnClient yarn = YarnClient.createYarnClient();
      yarn.init(new YarnConfiguration(conf));
      yarn.start();
      try {
        assertThat(yarn.getNodeReports(NodeState.RUNNING)).hasSize(2);
      } finally {
        yarn.stop();
      }
    }
  }

  private static Configuration clientConf() {
    Configuration conf = new Configuration();
    conf.addResource(new Path(hadoop.confDir().resolve("core-site.xml").toUri()));
    conf.addResource(new Path(hadoop.confDir().resolve("hdfs-site.xml").toUri()));
    return conf;
  }
}
