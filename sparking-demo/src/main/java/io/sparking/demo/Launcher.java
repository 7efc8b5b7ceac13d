package io.sparking.demo;

import io.sparking.jobs.Sparking;
import io.sparking.jobs.StreamingJob;
import picocli.CommandLine;

/**
 * The class behind {@code ./sparking}: every job of the application jar, and the demo, which starts
 * its own sources.
 */
public final class Launcher {
  private Launcher() {}

  /** Runs a job or the demo; exits with the job's code. */
  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Sparking()).addSubcommand(new Demo());
    System.exit(StreamingJob.withExitCodes(cli).execute(args));
  }
}
