package io.swarmsched.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.schemas.TaskMetadata;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskMetadataRulesTest {
  private static TaskMetadata.Builder task() {
    return TaskMetadata.newBuilder()
        .setTaskId("t")
        .setUrl("u")
        .setContentLength(10)
        .setPieceLength(4)
        .setPieceCount(3)
        .setPieceDigests(List.of("a", "b", "c"))
        .setSourceHostId("h")
        .setCreatedAt(Instant.ofEpochMilli(1));
  }

  @Test
  void aConsistentRecordPasses() {
    assertThat(TaskMetadataRules.problem("t", task().build())).isNull();
    assertThat(
            TaskMetadataRules.problem(
                "t",
                task().setContentLength(0).setPieceCount(0).setPieceDigests(List.of()).build()))
        .isNull();
  }

  @Test
  void aZeroPieceLengthAndCountsThatDisagreeAreRefusedNamingTheField() {
    assertThat(TaskMetadataRules.problem("t", task().setPieceLength(0).build()))
        .startsWith("piece_length: 0");
    assertThat(TaskMetadataRules.problem("t", task().setPieceCount(2_000_000_000).build()))
        .startsWith("piece_count:");
    assertThat(TaskMetadataRules.problem("t", task().setPieceCount(16).build()))
        .isEqualTo("piece_count: 16 but content_length 10 in pieces of 4 makes 3");
    assertThat(TaskMetadataRules.problem("t", task().setPieceDigests(List.of("a")).build()))
        .startsWith("piece_digests:");
    assertThat(TaskMetadataRules.problem("t", task().setContentLength(-1).build()))
        .startsWith("content_length:");
    assertThat(TaskMetadataRules.problem("other", task().build())).startsWith("record key 'other'");
  }
}
