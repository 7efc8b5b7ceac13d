package io.sparking.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of Spark's monitoring REST API on a driver's UI ({@code /api/v1}, the same in Spark 3.5
 * and 4.x): what the driver itself knows of its tasks, executors and receivers. The driver must run
 * with {@code spark.ui.enabled=true} and {@code spark.ui.port} set to the port given here.
 */
final class DriverUi {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How long one request may take: the driver sets up the REST API on the first request, which
   * takes seconds on a busy machine.
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** One attempt of a task, as the driver saw it: {@code status} RUNNING, SUCCESS, FAILED... */
  record TaskAttempt(
      int stageId,
      int stageAttempt,
      long taskId,
      int index,
      int attempt,
      String executorId,
      String status,
      String errorMessage) {
    /** Whether this attempt failed because its executor was lost. */
    boolean failedWithItsExecutor() {
      return "FAILED".equals(status) && errorMessage.contains("ExecutorLostFailure");
    }
  }

  /**
   * A batch as the driver's streaming tab shows it: its time, status (QUEUED, PROCESSING,
   * COMPLETED) and how many records its input streams gave it.
   */
  record Batch(long batchTime, String status, long inputSize) {}

  /** A receiver as the driver's streaming tab shows it: where it runs now. */
  record Receiver(int streamId, String name, boolean active, String executorId) {}

  private final int port;
  private final String api;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The UI of the driver listening on {@code port} of 127.0.0.1. */
  DriverUi(int port) {
    this.port = port;
    this.api = "http://127.0.0.1:" + port + "/api/v1/applications";
  }

  /** The UI's port, for the driver's {@code spark.ui.port}. */
  int port() {
    return port;
  }

  /** The ids of the applications this UI serves: the driver's own, once it started. */
  List<String> applicationIds() throws IOException {
    List<String> ids = new ArrayList<>();
    get("").forEach(app -> ids.add(app.path("id").asText()));
    return ids;
  }

  /** Every task attempt of {@code appId}'s active stages that is running now. */
  List<TaskAttempt> runningTasks(String appId) throws IOException {
    List<TaskAttempt> running = new ArrayList<>();
    for (JsonNode stage : get("/" + appId + "/stages?status=active")) {
      int stageId = stage.path("stageId").asInt();
      int stageAttempt = stage.path("attemptId").asInt();
      for (JsonNode task :
          get(
              "/"
                  + appId
                  + "/stages/"
                  + stageId
                  + "/"
                  + stageAttempt
                  + "/taskList?length=100000")) {
        TaskAttempt attempt = attempt(stageId, stageAttempt, task);
        if ("RUNNING".equals(attempt.status())) {
          running.add(attempt);
        }
      }
    }
    return running;
  }

  /**
   * Every attempt of every task of stage {@code stageId} of {@code appId}, in all stage attempts.
   */
  List<TaskAttempt> taskAttempts(String appId, int stageId) throws IOException {
    List<TaskAttempt> attempts = new ArrayList<>();
    for (JsonNode stage : get("/" + appId + "/stages/" + stageId + "?details=true")) {
      int stageAttempt = stage.path("attemptId").asInt();
      stage.path("tasks").forEach(task -> attempts.add(attempt(stageId, stageAttempt, task)));
    }
    return attempts;
  }

  /**
   * Every attempt of {@code appId}'s tasks that failed because executor {@code executorId} was
   * lost, in all stages the driver still lists.
   */
  List<TaskAttempt> attemptsFailedWithExecutor(String appId, String executorId) throws IOException {
    List<TaskAttempt> failed = new ArrayList<>();
    for (JsonNode stage : get("/" + appId + "/stages")) {
      if (stage.path("numFailedTasks").asInt() == 0) {
        continue;
      }
      for (TaskAttempt attempt : taskAttempts(appId, stage.path("stageId").asInt())) {
        if (attempt.executorId().equals(executorId) && attempt.failedWithItsExecutor()) {
          failed.add(attempt);
        }
      }
    }
    return failed;
  }

  /** The batches of {@code appId}'s streaming context that the driver still lists. */
  List<Batch> batches(String appId) throws IOException {
    List<Batch> batches = new ArrayList<>();
    for (JsonNode batch : get("/" + appId + "/streaming/batches")) {
      batches.add(
          new Batch(
              batch.path("batchId").asLong(),
              batch.path("status").asText(),
              batch.path("inputSize").asLong()));
    }
    return batches;
  }

  /** The receivers of {@code appId}'s streaming context and where each runs. */
  List<Receiver> receivers(String appId) throws IOException {
    List<Receiver> receivers = new ArrayList<>();
    for (JsonNode receiver : get("/" + appId + "/streaming/receivers")) {
      receivers.add(
          new Receiver(
              receiver.path("streamId").asInt(),
              receiver.path("streamName").asText(),
              receiver.path("isActive").asBoolean(),
              receiver.path("executorId").asText()));
    }
    return receivers;
  }

  /**
   * Whether the driver lists executor {@code executorId} of {@code appId} as active; false also for
   * one it never had.
   */
  boolean executorActive(String appId, String executorId) throws IOException {
    for (JsonNode executor : get("/" + appId + "/allexecutors")) {
      if (executorId.equals(executor.path("id").asText())) {
        return executor.path("isActive").asBoolean();
      }
    }
    return false;
  }

  private static TaskAttempt attempt(int stageId, int stageAttempt, JsonNode task) {
    return new TaskAttempt(
        stageId,
        stageAttempt,
        task.path("taskId").asLong(),
        task.path("index").asInt(),
        task.path("attempt").asInt(),
        task.path("executorId").asText(),
        task.path("status").asText(),
        task.path("errorMessage").asText(""));
  }

  private JsonNode get(String path) throws IOException {
    URI uri = URI.create(api + path);
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException(
            "GET " + uri + " answered " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while asking " + uri, e);
    }
  }
}
