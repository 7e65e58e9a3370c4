package io.parley.server.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a {@code redis-cluster://} URL becomes the seed nodes of the cluster client. */
class ClusterUrlTest {
    @Test
    void clusterUrl_givesOneSeedPerHost_withTheCredentialsAndClientNameOnEach() {
        List<RedisURI> seeds =
                RedisConnections.clusterUris("redis-cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001?clientName=n1");

        assertThat(seeds).hasSize(2);
        assertThat(seeds.get(0).getHost()).isEqualTo("10.0.0.1");
        assertThat(seeds.get(0).getPort()).isEqualTo(7000);
        assertThat(seeds.get(1).getHost()).isEqualTo("10.0.0.2");
        assertThat(seeds.get(1).getPort()).isEqualTo(7001);
        for (RedisURI u : seeds) {
            assertThat(u.getCredentialsProvider())
                    .as("credentials on every seed")
                    .isNotNull();
            assertThat(u.getClientName()).isEqualTo("n1");
            assertThat(u.isSsl()).isFalse();
        }
        assertThat(RedisConnections.clusterUris("rediss-cluster://h:1").get(0).isSsl())
                .isTrue();
    }

    @Test
    void clusterUrl_withoutAHost_isRefused() {
        assertThatThrownBy(() -> RedisConnections.clusterUris("redis-cluster://"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no node");
    }
}
