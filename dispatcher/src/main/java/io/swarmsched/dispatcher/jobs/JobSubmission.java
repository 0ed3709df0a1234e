package io.swarmsched.dispatcher.jobs;

import io.swarmsched.scheduling.worker.JobState;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.ScheduleRequest;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;

/** A job's way in: a job request or a SUBMITTED event, checked, and made the pool's record. */
public final class JobSubmission {
  /** Largest payload: the whole ASSIGNED decision must stay under Kafka's 1 MiB record limit. */
  public static final int MAX_PAYLOAD_BYTES = 512 * 1024;

  public static final int MAX_ATTEMPTS = 100;

  private JobSubmission() {}

  /** Why the job's own fields are unusable (naming the field), or null. */
  public static String validate(JobRequirements job) {
    if (job.getMinMemoryBytes() < 0) return "job.min_memory_bytes: must not be negative";
    if (job.getMinCpuCores() < 0) return "job.min_cpu_cores: must not be negative";
    if (job.getGpus() < 0) return "job.gpus: must not be negative";
    if (job.getTimeoutMs() < 0) return "job.timeout_ms: must not be negative";
    if (job.getMaxAttempts() < 0 || job.getMaxAttempts() > MAX_ATTEMPTS) {
      return "job.max_attempts: must be in [0, " + MAX_ATTEMPTS + "]";
    }
    if (job.getPayload() != null && job.getPayload().remaining() > MAX_PAYLOAD_BYTES) {
      return "job.payload: larger than " + MAX_PAYLOAD_BYTES + " bytes";
    }
    return null;
  }

  /** The SUBMITTED event that hands an (already validated) job request to the pool. */
  public static JobEvent fromRequest(ScheduleRequest r, long now) {
    return JobEvent.newBuilder()
        .setEventId("submitted/" + r.getRequestId())
        .setJobId(r.getTaskId())
        .setAttempt(0)
        .setType(JobEventType.SUBMITTED)
        .setTimestamp(Instant.ofEpochMilli(now))
        .setRequestId(r.getRequestId())
        .setRequesterHostId(r.getHostId())
        .setPriority(r.getPriority())
        .setDeadline(r.getDeadline())
        .setJob(r.getJob())
        .build();
  }

  /** Why a job event is unusable (it is dead-lettered), or null. */
  public static String validate(String key, JobEvent e) {
    if (e.getJobId() == null || e.getJobId().isBlank()) return "job_id: required";
    if (!e.getJobId().equals(key)) {
      return "record key '" + key + "' is not the job_id '" + e.getJobId() + "'";
    }
    if (e.getType() == JobEventType.SUBMITTED) {
      if (e.getJob() == null) return "job: required in a SUBMITTED event";
      String invalid = validate(e.getJob());
      if (invalid != null) return invalid;
    } else if (e.getType() != JobEventType.CANCELLED && e.getWorkerHostId() == null) {
      return "worker_host_id: required in a " + e.getType() + " event";
    }
    return null;
  }

  /** The pool's record of a SUBMITTED event, with the pool's defaults filled in. */
  static JobRecord toRecord(JobEvent e, JobParams params, long seq) {
    JobRequirements job = e.getJob();
    JobRecord j = new JobRecord();
    j.jobId = e.getJobId();
    j.requestId = e.getRequestId() == null ? "job/" + e.getJobId() : e.getRequestId();
    j.requesterHostId = e.getRequesterHostId() == null ? "" : e.getRequesterHostId();
    j.state = JobState.SUBMITTED;
    j.priority = e.getPriority();
    j.seq = seq;
    j.deadline = e.getDeadline() == null ? null : e.getDeadline().toEpochMilli();
    j.requiredTags = new ArrayList<>(job.getRequiredTags());
    j.minMemoryBytes = job.getMinMemoryBytes();
    j.minCpuCores = job.getMinCpuCores();
    j.gpus = job.getGpus();
    j.payload = bytes(job.getPayload());
    j.timeoutMs = job.getTimeoutMs() > 0 ? job.getTimeoutMs() : params.timeout().toMillis();
    j.noQueue = job.getNoQueue();
    j.maxAttempts = job.getMaxAttempts() > 0 ? job.getMaxAttempts() : params.maxAttempts();
    return j;
  }

  /** The bytes of a buffer, without moving its position. */
  public static byte[] bytes(ByteBuffer b) {
    if (b == null) return new byte[0];
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }
}
