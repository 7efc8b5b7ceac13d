package io.sparking.jobs;

import picocli.CommandLine.Option;

/**
 * Where a job writes its batches besides the batch lines it prints, the same option for every job.
 */
final class OutputOptions {
  @Option(
      names = "--output-dir",
      paramLabel = "<dir>",
      description =
          "Also write each non-empty batch's records (Kafka values, Flume bodies), one per line, to"
              + " <dir>/batch-<time-ms>.txt, written to a temporary file and renamed, so a batch file is complete or"
              + " absent. A batch that runs again after a recovery never overwrites: it adds"
              + " batch-<time-ms>.rerun-<k>.txt, so every record output twice stays visible. The driver writes the"
              + " files (a batch is collected to it): meant for verification and small streams.")
  String outputDir;
}
