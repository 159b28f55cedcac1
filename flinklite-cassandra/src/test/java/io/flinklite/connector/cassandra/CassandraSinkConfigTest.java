package io.flinklite.connector.cassandra;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CassandraSinkConfigTest {

    private static Map<String, String> settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put(CassandraSinkConfig.CONTACT_POINTS, "db1");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        CassandraSinkConfig c = CassandraSinkConfig.from(settings());
        assertThat(c.contactPoints()).containsExactly(InetSocketAddress.createUnresolved("db1", 9042));
        assertThat(c.localDc()).isEqualTo("datacenter1");
        assertThat(c.qualifiedTable()).isEqualTo("flinklite.flinklite_results");
        assertThat(c.createTable()).isFalse();
        assertThat(c.replicationCql()).isEqualTo("{'class': 'SimpleStrategy', 'replication_factor': 1}");
        assertThat(c.consistency()).isEqualTo("LOCAL_QUORUM");
        assertThat(c.maxInFlight()).isEqualTo(128);
        assertThat(c.retryTimeoutMs()).isEqualTo(60_000);
        assertThat(c.user()).isNull();
    }

    @Test
    void contactPointsTakePortsAndBracketedIpv6() {
        assertThat(CassandraSinkConfig.parseContactPoints("a:1, b ,[::1]:9043")).isEqualTo(List.of(
                InetSocketAddress.createUnresolved("a", 1), InetSocketAddress.createUnresolved("b", 9042),
                InetSocketAddress.createUnresolved("::1", 9043)));
        assertThatThrownBy(() -> CassandraSinkConfig.parseContactPoints("a:99999"))
                .hasMessage("bad cassandra-contact-points entry 'a:99999': the port must be 1-65535");
        assertThatThrownBy(() -> CassandraSinkConfig.parseContactPoints(" , "))
                .hasMessageStartingWith("bad cassandra-contact-points");
        assertThatThrownBy(() -> CassandraSinkConfig.from(Map.of()))
                .hasMessageStartingWith("cassandra-contact-points is required");
    }

    @Test
    void replicationIsAFactorOrFactorsPerDataCentre() {
        assertThat(CassandraSinkConfig.replicationCql("3"))
                .isEqualTo("{'class': 'SimpleStrategy', 'replication_factor': 3}");
        assertThat(CassandraSinkConfig.replicationCql("dc1=3, dc2=2"))
                .isEqualTo("{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}");
        assertThatThrownBy(() -> CassandraSinkConfig.replicationCql("dc1=3;drop"))
                .hasMessageStartingWith("bad cassandra-replication 'dc1=3;drop'");
        assertThatThrownBy(() -> CassandraSinkConfig.replicationCql("0"))
                .hasMessageStartingWith("bad cassandra-replication '0'");
    }

    @Test
    void badValuesNameTheirSetting() {
        assertThatThrownBy(() -> CassandraSinkConfig.from(settings(CassandraSinkConfig.CONSISTENCY, "most")))
                .hasMessageStartingWith("bad cassandra-consistency 'MOST': expected one of ALL, ANY,");
        assertThatThrownBy(() -> CassandraSinkConfig.from(settings(CassandraSinkConfig.KEYSPACE, "my-space")))
                .hasMessageStartingWith("bad cassandra-keyspace 'my-space'");
        assertThatThrownBy(() -> CassandraSinkConfig.from(settings(CassandraSinkConfig.MAX_IN_FLIGHT, "0")))
                .hasMessage("bad cassandra-max-in-flight '0': expected a whole number from 1 to 32768");
        assertThatThrownBy(() -> CassandraSinkConfig.from(settings(CassandraSinkConfig.RETRY_TIMEOUT, "soon")))
                .hasMessageStartingWith("bad cassandra-retry-timeout 'soon'");
        assertThatThrownBy(() -> CassandraSinkConfig.from(settings(CassandraSinkConfig.CREATE_TABLE, "yes")))
                .hasMessage("bad cassandra-create-table 'yes': expected true or false");
        assertThat(CassandraSinkConfig.from(settings(CassandraSinkConfig.TABLE, "Results")).table()).isEqualTo("results");
    }

    @Test
    void aUserNeedsAPasswordAndThePasswordIsNeverShown() {
        assertThatThrownBy(() -> CassandraSinkConfig.from(settings(CassandraSinkConfig.USER, "app")))
                .hasMessageContaining("FLINKLITE_CASSANDRA_PASSWORD");
        assertThatThrownBy(() -> CassandraSinkConfig.from(settings(CassandraSinkConfig.PASSWORD, "s3cret")))
                .hasMessageContaining("no user").satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        CassandraSinkConfig c = CassandraSinkConfig.from(settings(CassandraSinkConfig.USER, "app",
                CassandraSinkConfig.PASSWORD, "s3cret"));
        assertThat(c.password()).isEqualTo("s3cret");
        assertThat(c.toString()).contains("cassandra-password=****").doesNotContain("s3cret");
    }

    @Test
    void transientFailuresAreTheRetryableOnes() {
        assertThat(CassandraSink.isTransient(new com.datastax.oss.driver.api.core.DriverTimeoutException("t"))).isTrue();
        assertThat(CassandraSink.isTransient(new com.datastax.oss.driver.api.core.NoNodeAvailableException())).isTrue();
        assertThat(CassandraSink.isTransient(new IllegalArgumentException("bad value"))).isFalse();
    }
}
