package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint directories: shared-storage URIs reach Spark as given, local ones are created and
 * owned (HdfsCheckpointTest checks the same marks on HDFS).
 */
@Tag("default-line")
class CheckpointDirectoryTest {
  @TempDir Path work;

  @Test
  void clusterStorageUrisKeepTheirAuthority() {
    assertThat(
            CheckpointDirectory.resolve("hdfs://namenode:8020/sparking/words", "KafkaSingleTopic"))
        .isEqualTo("hdfs://namenode:8020/sparking/words");
    assertThat(CheckpointDirectory.resolve("s3a://bucket/sparking/words", "KafkaSingleTopic"))
        .isEqualTo("s3a://bucket/sparking/words");
  }

  @Test
  void localDirectoryIsCreatedAndMarkedAsTheJobs() {
    Path dir = work.resolve("cp");
    assertThat(CheckpointDirectory.prepare("file:" + dir, "KafkaSingleTopic"))
        .isEqualTo(dir.toString());
    assertThat(dir.resolve(CheckpointDirectory.OWNER_FILE)).exists();
    assertThat(Files.isDirectory(dir)).isTrue();
  }
}
