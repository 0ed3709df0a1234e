package io.swarmsched.dtask;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.http.HttpApi;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * dtask's {@code ScheduleRequest}: {@code {"task_id": "...", "required_tags": ["..."]}}. Fields it
 * does not know are ignored, as dtask's Go decoder ignores them; a body that is not that shape is
 * an {@link IllegalArgumentException} whose message names the field (a 400).
 */
record DtaskSchedule(String taskId, List<String> requiredTags) {

  static DtaskSchedule parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw new IllegalArgumentException("invalid request body: empty; expected JSON");
    }
    JsonNode n;
    try {
      n = HttpApi.JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid request body: not JSON");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("invalid request body: must be a JSON object");
    }
    JsonNode id = n.get("task_id");
    if (id != null && !id.isNull() && !id.isTextual()) {
      throw new IllegalArgumentException("invalid request body: task_id must be a string");
    }
    if (id == null || id.isNull() || id.asText().isEmpty()) {
      throw new IllegalArgumentException("task_id is required");
    }
    List<String> tags = new ArrayList<>();
    JsonNode t = n.get("required_tags");
    if (t != null && !t.isNull()) {
      if (!t.isArray()) {
        throw new IllegalArgumentException(
            "invalid request body: required_tags must be an array of strings");
      }
      for (int i = 0; i < t.size(); i++) {
        if (!t.get(i).isTextual()) {
          throw new IllegalArgumentException(
              "invalid request body: required_tags[" + i + "] must be a string");
        }
        tags.add(t.get(i).asText());
      }
    }
    return new DtaskSchedule(id.asText(), tags);
  }
}
