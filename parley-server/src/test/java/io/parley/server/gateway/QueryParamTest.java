package io.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The gateway reads token and resume from the upgrade's query string without building a parameter map. */
class QueryParamTest {
    @Test
    void findsTheFirstValueOfAParameter() {
        assertThat(WsGateway.queryParam("token=abc.def-ghi&resume=1", "token")).isEqualTo("abc.def-ghi");
        assertThat(WsGateway.queryParam("token=abc&resume=1", "resume")).isEqualTo("1");
        assertThat(WsGateway.queryParam("resume=1&token=a&token=b", "token")).isEqualTo("a");
    }

    @Test
    void decodesPercentEscapes() {
        assertThat(WsGateway.queryParam("token=a%2Bb%3D", "token")).isEqualTo("a+b=");
    }

    @Test
    void missingEmptyAndLookalikeParameters() {
        assertThat(WsGateway.queryParam(null, "token")).isNull();
        assertThat(WsGateway.queryParam("", "token")).isNull();
        assertThat(WsGateway.queryParam("mytoken=x&tokens=y", "token")).isNull();
        assertThat(WsGateway.queryParam("token", "token")).isEmpty();
        assertThat(WsGateway.queryParam("token=", "token")).isEmpty();
        assertThat(WsGateway.queryParam("a=1&&token=t", "token")).isEqualTo("t");
    }

    @Test
    void aBadEscapeIsReturnedAsIsAndFailsTokenVerificationLater() {
        assertThat(WsGateway.queryParam("token=%zz", "token")).isEqualTo("%zz");
    }
}
