package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromQlMetricNamesTest {

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "up{job=\"parley\"} == 0 => up",
        "max by(instance, job) (parley_part_up{part=~\"relay|remote-relay\"}) == 0 => parley_part_up",
        "sum by (le, phase) (rate(x_bucket{instance=~\"$instance\"}[$__rate_interval])) => x_bucket",
        "histogram_quantile(0.95, sum(rate(a_bucket[5m])) by (le)) => a_bucket",
        "a / on(instance) group_left(version) b > 0.8 and c offset 5m => a b c",
        "8 * sum(rate(bytes_total{kind!=\"rtcp\"}[1m:10s])) unless bool_thing => bytes_total bool_thing",
        "label_replace(m, \"dst\", \"$1\", \"src\", \"(.*)\") => m",
    })
    void namesTheSelectedMetricsOnly(String expr, String names) {
        assertEquals(new LinkedHashSet<>(Arrays.asList(names.split(" "))), PromQlMetricNames.of(expr));
    }
}
