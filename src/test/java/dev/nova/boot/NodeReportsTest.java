package dev.nova.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeReportsTest {

    @Test
    void aReportCrossesTheBusUnchanged() throws Exception {
        NodeReports.Report sent = new NodeReports.Report("degraded", false, 7, 3, true);

        NodeReports.Report received = NodeReports.decode(NodeReports.encode(sent));

        assertThat(received).isEqualTo(sent);
    }

    @Test
    void aMemberThatDidNotAnswerIsUnknownWithoutQuorumOrSessions() {
        NodeReports.Report silent = NodeReports.Report.silent();

        assertThat(silent.status()).isEqualTo("unknown");
        assertThat(silent.answered()).isFalse();
        assertThat(silent.quorum()).isFalse();
        assertThat(silent.sessions()).isZero();
    }
}
