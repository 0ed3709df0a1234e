package io.swarmsched.scheduling.evaluator;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.PeerState;
import org.junit.jupiter.api.Test;

class AffinityTest {

    @Test
    void idcAffinityNeedsBothSetAndEqualIgnoringCase() {
        assertThat(Affinity.idc("hz-1", "HZ-1")).isEqualTo(1.0);
        assertThat(Affinity.idc("hz-1", "hz-2")).isEqualTo(0.0);
        assertThat(Affinity.idc("", "")).isEqualTo(0.0);
        assertThat(Affinity.idc("hz-1", "")).isEqualTo(0.0);
        assertThat(Affinity.idc(null, "hz-1")).isEqualTo(0.0);
    }

    @Test
    void locationAffinityCountsEqualLeadingElementsOverFive() {
        assertThat(Affinity.location("cn|zj|hz", "cn|zj|hz")).isEqualTo(1.0);
        assertThat(Affinity.location("cn|zj|hz", "cn|zj|nb")).isEqualTo(0.4);
        assertThat(Affinity.location("cn|zj|hz", "cn|js|hz")).isEqualTo(0.2);
        assertThat(Affinity.location("cn|zj|hz", "us|zj|hz")).isEqualTo(0.0);
        // prefix of the other: counts the common elements
        assertThat(Affinity.location("cn|zj", "cn|zj|hz")).isEqualTo(0.4);
        // at most five elements count, even when the first five match
        assertThat(Affinity.location("a|b|c|d|e|f|g", "a|b|c|d|e|f|x")).isEqualTo(1.0);
        assertThat(Affinity.location("a|b|c|d|x", "a|b|c|d|y")).isEqualTo(0.8);
        // a single element that differs, unset locations
        assertThat(Affinity.location("cn", "us")).isEqualTo(0.0);
        assertThat(Affinity.location("", "")).isEqualTo(0.0);
        assertThat(Affinity.location("cn", "")).isEqualTo(0.0);
    }

    @Test
    void hostTypeFavoursDownloadingSeedsAndProtectsFinishedOnes() {
        assertThat(Affinity.hostType(HostType.NORMAL, PeerState.RUNNING)).isEqualTo(0.5);
        assertThat(Affinity.hostType(HostType.NORMAL, PeerState.SUCCEEDED)).isEqualTo(0.5);
        assertThat(Affinity.hostType(HostType.SUPER_SEED, PeerState.RUNNING)).isEqualTo(1.0);
        assertThat(Affinity.hostType(HostType.SUPER_SEED, PeerState.BACK_TO_SOURCE)).isEqualTo(1.0);
        assertThat(Affinity.hostType(HostType.SUPER_SEED, PeerState.SUCCEEDED)).isEqualTo(0.0);
    }
}
