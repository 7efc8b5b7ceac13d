package io.sparking.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Spark standalone cluster on loopback: a master ({@code
 * org.apache.spark.deploy.master.Master}) and workers ({@code
 * org.apache.spark.deploy.worker.Worker}), each in a JVM of its own, started from Spark's jars as
 * the build resolved them (the line's {@code runtimes/spark} module, so the Spark release the line
 * compiles against, unless {@link Builder#runtime} names another), on free ports, with their work
 * directories in a temporary directory.
 *
 * <pre>{@code
 * try (SparkStandaloneCluster cluster = SparkStandaloneCluster.builder().workers(2).coresPerWorker(2).start()) {
 *   String master = cluster.masterUrl();          // spark://127.0.0.1:<port>, for spark-submit --master
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} returns once every worker registered with the master (read from the
 * master's {@code /json} page), at most the start timeout; its error carries the logs' tails. The
 * workers launch executors the way an installed Spark does, from a Spark home whose {@code jars/}
 * directory links Spark's Maven jars, so an application brings only its own jar. {@link #close()}
 * stops the workers (and any executor they left), then the master, by their process handles, and
 * deletes the directory.
 *
 * <p>Fault tests crash parts of the cluster by process id: {@link #killExecutor(String, String)}
 * kills one executor JVM, {@link #killWorker(String)} a worker JVM together with its executors,
 * both with SIGKILL.
 *
 * <p>Reading the web UIs' JSON needs Jackson, which Spark brings: the caller has Spark on its
 * classpath.
 */
public final class SparkStandaloneCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SparkStandaloneCluster.class);

  /** How long {@link Builder#start()} waits for the workers to register, by default. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(120);

  private static final String MASTER_CLASS = "org.apache.spark.deploy.master.Master";
  private static final String WORKER_CLASS = "org.apache.spark.deploy.worker.Worker";
  private static final String HOST = "127.0.0.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a kill waits for a process to be gone. */
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);

  /** A worker of the cluster: its id as the master knows it, and its web UI. */
  public record Worker(String id, int port, int webUiPort) {
    /** The worker's web UI, {@code http://127.0.0.1:<port>}. */
    public String webUiUrl() {
      return "http://" + HOST + ":" + webUiPort;
    }
  }

  private final Path dir;
  private final String classpath;

  /** The Scala version of the runtime's jars, which Spark's launcher needs told. */
  private final String scalaVersion;

  private final Map<String, String> environment;
  private final int masterPort = FreePorts.next();
  private final int masterWebUiPort = FreePorts.next();
  private final List<JavaProcess> processes = new ArrayList<>();

  /** Read by callers' polling threads while a test kills a worker. */
  private final List<Worker> workers = new CopyOnWriteArrayList<>();

  /** Each worker's process, by the worker's port. */
  private final Map<Integer, JavaProcess> workerProcesses = new LinkedHashMap<>();

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  private SparkStandaloneCluster(Path dir, String runtime) {
    this.dir = dir;
    // The line's own Spark, or one of the releases lines/runtimes.tsv lists (spark/<runtime>).
    this.classpath = RuntimeClasspath.of(runtime == null ? "spark" : "spark/" + runtime);
    this.scalaVersion = scalaVersionOf(classpath);
    Path sparkHome = linkSparkHome(dir.resolve("spark-home"), classpath);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    // Spark's launcher library guesses the Scala version from build directories a Maven-jar home
    // does not have.
    env.put("SPARK_SCALA_VERSION", scalaVersion);
    env.put("SPARK_LOCAL_IP", HOST);
    // Made here, before any worker runs: two workers launching their first executors at once both
    // find it missing, one loses the mkdirs race, and Spark then drops the directory from that
    // worker for good ("No subfolder can be created in .", every executor there fails).
    env.put("SPARK_LOCAL_DIRS", createDirectories(dir.resolve("local")).toString());
    env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    this.environment = Map.copyOf(env);
  }

  /** A builder for a cluster of two workers with 2 cores and 1g each. */
  public static Builder builder() {
    return new Builder();
  }

  /** The master's URL, {@code spark://127.0.0.1:<port>}, for {@code --master}. */
  public String masterUrl() {
    return "spark://" + HOST + ":" + masterPort;
  }

  /**
   * The master's web UI, {@code http://127.0.0.1:<port>}; its {@code /json} page lists workers and
   * applications.
   */
  public String masterWebUiUrl() {
    return "http://" + HOST + ":" + masterWebUiPort;
  }

  /** The workers, in start order, without those {@link #killWorker(String) killed}. */
  public List<Worker> workers() {
    return List.copyOf(workers);
  }

  /** The directory that holds the cluster's logs, work directories and Spark home. */
  public Path dir() {
    return dir;
  }

  /**
   * The master's {@code /json} state: {@code workers}, {@code activeapps}, {@code completedapps},
   * ...
   */
  public JsonNode masterState() {
    return getJson(masterWebUiUrl() + "/json/");
  }

  /**
   * The id of the application named {@code name}, running or completed; empty when the master knows
   * none.
   */
  public Optional<String> applicationId(String name) {
    JsonNode state = masterState();
    for (String list : List.of("activeapps", "completedapps")) {
      for (JsonNode app : state.path(list)) {
        if (name.equals(app.path("name").asText())) {
          return Optional.of(app.path("id").asText());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Which worker ran each executor of application {@code appId}: executor id to worker id, read
   * from the running workers' {@code /json} pages (running and finished executors; a killed
   * worker's executors are no longer listed).
   */
  public Map<String, String> executorWorkers(String appId) {
    Map<String, String> placement = new LinkedHashMap<>();
    for (Worker worker : workers) {
      JsonNode state = getJson(worker.webUiUrl() + "/json/");
      for (String list : List.of("executors", "finishedexecutors")) {
        for (JsonNode executor : state.path(list)) {
          if (appId.equals(executor.path("appid").asText())) {
            placement.put(executor.path("id").asText(), worker.id());
          }
        }
      }
    }
    return placement;
  }

  /**
   * Submits {@code mainClass} of {@code appJar} to this cluster in client mode with Spark's own
   * launcher ({@code org.apache.spark.deploy.SparkSubmit} on Spark's jars, as {@code ./sparking
   * submit} does): the driver is the returned process, which the caller closes. The Spark JVM flags
   * go to the driver's command line and, through {@code spark.executor.extraJavaOptions}, to the
   * executors.
   *
   * @param name a short name for logs
   * @param sparkOptions more spark-submit options, such as {@code --conf k=v} or {@code
   *     --total-executor-cores n}
   * @param appArgs the application's arguments
   * @param output gets every line the driver prints (null: the log file only)
   */
  public JavaProcess submit(
      String name,
      Path appJar,
      String mainClass,
      List<String> sparkOptions,
      List<String> appArgs,
      Path workDir,
      Path logFile,
      java.util.function.Consumer<String> output) {
    String flags = String.join(" ", JvmFlags.forSpark());
    List<String> jvmArgs = new ArrayList<>(JvmFlags.forSpark());
    jvmArgs.add("-Xmx512m");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--master",
                masterUrl(),
                "--deploy-mode",
                "client",
                "--class",
                mainClass,
                "--conf",
                "spark.driver.extraJavaOptions=" + flags,
                "--conf",
                "spark.executor.extraJavaOptions=" + flags));
    args.addAll(sparkOptions);
    args.add(appJar.toAbsolutePath().toString());
    args.addAll(appArgs);
    return JavaProcess.start(
        name,
        jvmArgs,
        classpath,
        "org.apache.spark.deploy.SparkSubmit",
        args,
        workDir,
        logFile,
        output,
        Map.of("SPARK_LOCAL_IP", HOST, "SPARK_SCALA_VERSION", scalaVersion));
  }

  /**
   * The process id of executor {@code executorId} of application {@code appId} while it runs; empty
   * when no worker runs it. It is the worker's child JVM whose command line carries {@code
   * --executor-id <executorId>} and {@code --app-id <appId>}, as Spark's workers launch executors.
   * On Linux the command line is read from {@code /proc/<pid>/cmdline}: the JDK's {@code
   * ProcessHandle.Info} gives up on command lines longer than a page, and an executor's holds
   * Spark's whole classpath before those arguments.
   */
  public OptionalLong executorPid(String appId, String executorId) {
    for (JavaProcess worker : workerProcesses.values()) {
      Optional<ProcessHandle> handle = ProcessHandle.of(worker.pid());
      if (handle.isEmpty()) {
        continue;
      }
      Optional<ProcessHandle> executor =
          handle
              .get()
              .descendants()
              .filter(child -> isExecutor(commandLine(child), appId, executorId))
              .findFirst();
      if (executor.isPresent()) {
        return OptionalLong.of(executor.get().pid());
      }
    }
    return OptionalLong.empty();
  }

  /**
   * The work directory of executor {@code executorId} of application {@code appId} on whichever
   * worker ran it, also after the executor or its worker died: {@code <worker work
   * dir>/<appId>/<executorId>}, holding the executor's {@code stdout} and {@code stderr} (where
   * Spark logs). Empty when no worker ran that executor.
   */
  public Optional<Path> executorDirectory(String appId, String executorId) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(d -> d.getFileName().toString().startsWith("worker-"))
          .map(d -> d.resolve(appId).resolve(executorId))
          .filter(Files::isDirectory)
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the workers' directories in " + dir, e);
    }
  }

  /**
   * Kills executor {@code executorId} of application {@code appId} with SIGKILL, as a crashed
   * executor JVM, and waits until it is gone (at most 30 s); returns its process id. Its worker
   * reports the loss to the master, which launches a new executor where cores and memory are free.
   *
   * @throws IllegalStateException when no worker runs that executor
   */
  public long killExecutor(String appId, String executorId) {
    long pid =
        executorPid(appId, executorId)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "No worker of "
                            + this
                            + " runs executor "
                            + executorId
                            + " of "
                            + appId
                            + "; running: "
                            + executorWorkers(appId)));
    ProcessHandle.of(pid)
        .ifPresent(
            executor -> {
              executor.destroyForcibly();
              awaitExit(executor, "executor " + executorId + " of " + appId);
            });
    LOG.info("Killed executor {} of {} (pid {})", executorId, appId, pid);
    return pid;
  }

  /**
   * Kills worker {@code workerId} and every executor it runs with SIGKILL, as when their machine
   * dies, and waits until all of them are gone (at most 30 s each); returns the executors' process
   * ids. The master sees the worker disconnect and tells the applications that its executors are
   * lost; the worker leaves {@link #workers()}, and {@link #close()} has nothing left to stop of
   * it.
   *
   * @throws IllegalArgumentException when no running worker has that id
   */
  public List<Long> killWorker(String workerId) {
    Worker worker =
        workers.stream()
            .filter(w -> w.id().equals(workerId))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "No running worker " + workerId + " in " + this + "; running: " + workers));
    JavaProcess process = workerProcesses.get(worker.port());
    ProcessHandle handle =
        ProcessHandle.of(process.pid())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Worker " + workerId + " (pid " + process.pid() + ") is not running"));
    // Taken before the kill: an orphaned executor is no longer the worker's descendant.
    List<ProcessHandle> executors = handle.descendants().toList();
    // All at once, as a machine dies: an executor that outlived its worker for a moment could still
    // act.
    handle.destroyForcibly();
    executors.forEach(ProcessHandle::destroyForcibly);
    awaitExit(handle, "worker " + workerId);
    for (ProcessHandle executor : executors) {
      awaitExit(executor, "executor pid " + executor.pid() + " of worker " + workerId);
    }
    workers.remove(worker);
    List<Long> pids = executors.stream().map(ProcessHandle::pid).toList();
    LOG.info(
        "Killed worker {} (pid {}) and its executor processes {}", workerId, process.pid(), pids);
    return pids;
  }

  /** The process ids of the master and the workers (their executors are the workers' children). */
  public List<Long> pids() {
    return processes.stream().filter(JavaProcess::isAlive).map(JavaProcess::pid).toList();
  }

  /** The last {@code lines} lines of every daemon's log, for failure messages. */
  public String logTails(int lines) {
    StringBuilder out = new StringBuilder();
    for (JavaProcess process : processes) {
      out.append("--- ")
          .append(process)
          .append(" ---\n")
          .append(process.logTail(lines))
          .append('\n');
    }
    return out.toString();
  }

  /**
   * Stops the workers (and executors they leave behind), then the master, and deletes the
   * directory.
   */
  @Override
  public void close() {
    RuntimeException failed = null;
    // Workers first, newest first, so the master never sees a worker it must re-schedule for.
    for (int i = processes.size() - 1; i >= 0; i--) {
      JavaProcess process = processes.get(i);
      List<ProcessHandle> children =
          process.isAlive()
              ? ProcessHandle.of(process.pid()).map(h -> h.descendants().toList()).orElse(List.of())
              : List.of();
      try {
        process.close();
      } catch (RuntimeException e) {
        failed = addTo(failed, e);
      }
      // A worker kills its executors when it stops; one that survives a killed worker is stopped
      // here.
      for (ProcessHandle child : children) {
        if (child.isAlive()) {
          LOG.warn("Executor process {} outlived its worker; killing it", child.pid());
          child.destroyForcibly();
        }
      }
    }
    processes.clear();
    try {
      TempDirs.deleteRecursively(dir);
    } catch (RuntimeException e) {
      failed = addTo(failed, e);
    }
    if (failed != null) {
      throw failed;
    }
  }

  @Override
  public String toString() {
    return "Spark standalone cluster " + masterUrl() + " with " + workers.size() + " worker(s)";
  }

  private static void awaitExit(ProcessHandle process, String what) {
    try {
      process.onExit().get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          what + " (pid " + process.pid() + ") is still running " + KILL_TIMEOUT + " after SIGKILL",
          e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Waiting for " + what + " to exit failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + what + " to exit", e);
    }
  }

  /** Whether {@code args} is the command line of executor {@code executorId} of {@code appId}. */
  private static boolean isExecutor(List<String> args, String appId, String executorId) {
    return executorId.equals(valueAfter(args, "--executor-id"))
        && appId.equals(valueAfter(args, "--app-id"));
  }

  private static String valueAfter(List<String> args, String option) {
    int at = args.indexOf(option);
    return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : null;
  }

  /** A process's command line, program first; empty when it is gone or cannot be read. */
  private static List<String> commandLine(ProcessHandle process) {
    Path proc = Path.of("/proc", String.valueOf(process.pid()), "cmdline");
    if (Files.isReadable(proc)) {
      try {
        return List.of(new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).split("\0"));
      } catch (IOException e) {
        // Gone since the check.
        return List.of();
      }
    }
    ProcessHandle.Info info = process.info();
    List<String> args = new ArrayList<>();
    info.command().ifPresent(args::add);
    info.arguments().ifPresent(a -> args.addAll(List.of(a)));
    return args;
  }

  private static RuntimeException addTo(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  private void startMaster(Duration timeout) {
    processes.add(
        JavaProcess.start(
            "spark-master:" + masterPort,
            daemonJvmArgs(),
            classpath,
            MASTER_CLASS,
            List.of(
                "--host",
                HOST,
                "--port",
                String.valueOf(masterPort),
                "--webui-port",
                String.valueOf(masterWebUiPort)),
            dir,
            dir.resolve("master.log"),
            null,
            environment));
    awaitRegistered(0, timeout);
  }

  private void startWorker(int index, int cores, String memory) {
    int port = FreePorts.next();
    int webUiPort = FreePorts.next();
    Path workDir = dir.resolve("worker-" + index);
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JavaProcess worker =
        JavaProcess.start(
            "spark-worker-" + index + ":" + port,
            daemonJvmArgs(),
            classpath,
            WORKER_CLASS,
            List.of(
                "--host",
                HOST,
                "--port",
                String.valueOf(port),
                "--webui-port",
                String.valueOf(webUiPort),
                "--cores",
                String.valueOf(cores),
                "--memory",
                memory,
                "--work-dir",
                workDir.toString(),
                masterUrl()),
            workDir,
            dir.resolve("worker-" + index + ".log"),
            null,
            environment);
    processes.add(worker);
    workerProcesses.put(port, worker);
    workers.add(new Worker(null, port, webUiPort));
  }

  /** Waits until {@code expected} workers are ALIVE at the master (0: until the master answers). */
  private void awaitRegistered(int expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      for (JavaProcess process : processes) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              process + " exited during start-up of " + this + ". Logs:\n" + logTails(30));
        }
      }
      try {
        JsonNode state = masterState();
        Map<Integer, String> alive = new LinkedHashMap<>();
        for (JsonNode worker : state.path("workers")) {
          if ("ALIVE".equals(worker.path("state").asText())) {
            alive.put(worker.path("port").asInt(), worker.path("id").asText());
          }
        }
        if (alive.size() >= expected
            && workers.stream().allMatch(w -> alive.containsKey(w.port()))) {
          workers.replaceAll(w -> new Worker(alive.get(w.port()), w.port(), w.webUiPort()));
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      ExternalServer.pause(250);
    }
    throw new IllegalStateException(
        this
            + ": "
            + workers.size()
            + " worker(s) did not register with the master"
            + " within "
            + timeout
            + " (last error: "
            + last
            + "). Logs:\n"
            + logTails(30));
  }

  private JsonNode getJson(String url) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET " + url + " answered " + response.statusCode());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading " + url, e);
    }
  }

  private List<String> daemonJvmArgs() {
    List<String> args = new ArrayList<>(JvmFlags.forSpark());
    args.add("-Xmx256m");
    return args;
  }

  /** The Scala version Spark's own jars were built for, read from spark-core's file name. */
  private static String scalaVersionOf(String classpath) {
    Matcher core =
        Pattern.compile("spark-core_(2\\.\\d+)-[^" + File.pathSeparator + "]*\\.jar")
            .matcher(classpath);
    if (!core.find()) {
      throw new IllegalStateException(
          "No spark-core jar on the Spark classpath, so no Scala version for Spark's launcher: "
              + classpath);
    }
    return core.group(1);
  }

  private static Path createDirectories(Path path) {
    try {
      return Files.createDirectories(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + path, e);
    }
  }

  /**
   * A Spark home as an install lays it out, {@code jars/} holding Spark's jars (as links), so that
   * workers build executor command lines the usual way.
   */
  private static Path linkSparkHome(Path home, String classpath) {
    Path jars = home.resolve("jars");
    try {
      Files.createDirectories(jars);
      Files.createDirectories(home.resolve("conf"));
      Set<String> names = new HashSet<>();
      for (String entry : classpath.split(File.pathSeparator)) {
        if (entry.isBlank()) {
          continue;
        }
        Path jar = Path.of(entry);
        String name = jar.getFileName().toString();
        // Two artifacts may share a file name (native classifiers do not, but be safe): keep both.
        String unique = names.add(name) ? name : names.size() + "-" + name;
        names.add(unique);
        Files.createSymbolicLink(jars.resolve(unique), jar.toAbsolutePath());
      }
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot lay out a Spark home in " + home, e);
    }
  }

  /** Configures a {@link SparkStandaloneCluster}. */
  public static final class Builder {
    private int workers = 2;
    private int coresPerWorker = 2;
    private String memoryPerWorker = "1g";
    private String runtime;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;

    private Builder() {}

    /** How many workers to start (default 2). */
    public Builder workers(int count) {
      if (count < 1) {
        throw new IllegalArgumentException(
            "workers=" + count + ": a cluster needs at least 1 worker");
      }
      this.workers = count;
      return this;
    }

    /**
     * Cores each worker offers (default 2). A receiver holds one core of its executor for good:
     * give the cluster more cores than the application runs receivers.
     */
    public Builder coresPerWorker(int cores) {
      if (cores < 1) {
        throw new IllegalArgumentException(
            "coresPerWorker=" + cores + ": a worker needs at least 1 core");
      }
      this.coresPerWorker = cores;
      return this;
    }

    /**
     * Memory each worker offers to executors, in Spark's notation such as {@code 1g} or {@code
     * 512m} (default 1g).
     */
    public Builder memoryPerWorker(String memory) {
      if (memory == null || !memory.matches("\\d+[mMgG]")) {
        throw new IllegalArgumentException(
            "memoryPerWorker='" + memory + "': pass an amount such as 512m or 1g");
      }
      this.memoryPerWorker = memory;
      return this;
    }

    /**
     * Runs the cluster, and {@link #submit}, on another Spark release than the one the build
     * compiles against: {@code runtime} is a row of {@code lines/runtimes.tsv} such as {@code
     * 3.5.0_2.13}, whose module ({@code sparking-runtime-spark-3.5.0_2.13}) is on the classpath. By
     * default the cluster runs the Spark of {@code sparking-runtime-spark}.
     */
    public Builder runtime(String runtime) {
      if (runtime == null || !runtime.matches("\\d+\\.\\d+\\.\\d+_2\\.1[23]")) {
        throw new IllegalArgumentException(
            "runtime='"
                + runtime
                + "': pass a Spark release and Scala version as lines/runtimes.tsv names them,"
                + " such as 3.5.0_2.13");
      }
      this.runtime = runtime;
      return this;
    }

    /** How long {@link #start()} waits for the master and the workers (default 120 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Starts the master and the workers and waits until every worker registered. */
    public SparkStandaloneCluster start() {
      SparkStandaloneCluster cluster =
          new SparkStandaloneCluster(TempDirs.create("sparking-spark-"), runtime);
      try {
        cluster.startMaster(startTimeout);
        for (int i = 1; i <= workers; i++) {
          cluster.startWorker(i, coresPerWorker, memoryPerWorker);
        }
        cluster.awaitRegistered(workers, startTimeout);
        LOG.info("{} ready: workers {}", cluster, cluster.workers());
        return cluster;
      } catch (RuntimeException e) {
        try {
          cluster.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    }
  }
}
