package io.swarmsched.dispatcher.http;

import io.swarmsched.dispatcher.jobs.JobRecord;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.scheduling.resource.HostView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A job as the jobs API shows it (JOBS contract; times in epoch milliseconds, 0 = not yet). */
final class JobView {
  private JobView() {}

  static Map<String, Object> of(JobRecord j, HostIndex hosts) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", j.jobId);
    m.put("state", j.state.name());
    m.put("priority", j.priority);
    m.put("attempt", j.attempt);
    m.put("max_attempts", j.maxAttempts);
    m.put("worker_host_id", j.workerHostId);
    HostView w = j.workerHostId == null ? null : hosts.host(j.workerHostId);
    m.put("worker_address", w == null ? null : w.pieceServerAddress());
    m.put("reason", j.reason);
    m.put("result_ref", j.resultRef);
    m.put("request_id", j.requestId);
    m.put("requester_host_id", j.requesterHostId);
    m.put("submitted_at", j.submittedAt);
    m.put("assigned_at", j.assignedAt);
    m.put("finished_at", j.finishedAt);
    m.put("next_attempt_at", j.nextAttemptAt);
    m.put("deadline", j.deadline);
    m.put("timeout_ms", j.timeoutMs);
    m.put("required_tags", j.requiredTags);
    List<Map<String, Object>> history = new ArrayList<>();
    for (JobRecord.Step s : j.history) {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("at", s.at);
      step.put("state", s.state.name());
      step.put("attempt", s.attempt);
      step.put("worker_host_id", s.workerHostId);
      step.put("reason", s.reason);
      history.add(step);
    }
    m.put("history", history);
    return m;
  }

  /** A job just produced, before the pool has seen it. */
  static Map<String, Object> submitted(String jobId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", jobId);
    m.put("state", "SUBMITTED");
    m.put("history", List.of());
    return m;
  }
}
