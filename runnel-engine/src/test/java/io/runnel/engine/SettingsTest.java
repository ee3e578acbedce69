// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Misconfigured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void defaults_follow_the_original_except_a_larger_prefetch() {
        Settings s = Settings.defaults();
        assertThat(s.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(s.defaultPartitionCount()).isEqualTo(16);
        assertThat(s.defaultPartitionSize()).isEqualTo(50_000);
        assertThat(s.defaultRetention()).isEqualTo(Retention.Policy.ACKED); // the original trims by MAXLEN
        assertThat(s.defaultMaxPartitionSize()).isZero();
        assertThat(s.defaultMaxAge()).isZero();
        assertThat(s.defaultRetentionInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.defaultExceptionPolicy()).isEqualTo(ExceptionPolicy.HALT);
        assertThat(s.defaultRetry()).isEqualTo(new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(10), 2, 0.2));
        assertThat(s.defaultLockExpiry()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.defaultReadTimeout()).isEqualTo(Duration.ofMillis(2000));
        assertThat(s.defaultPrefetchCount()).isEqualTo(100); // the original reads 8: too few per round trip
        assertThat(s.defaultAssignmentAttempts()).isEqualTo(32);
        assertThat(s.defaultAssignment()).isEqualTo("sticky"); // the original splits into ranges
        assertThat(s.memberId()).isNull();
        assertThat(s.defaultSessionTimeout()).isZero(); // lock_expiry
        assertThat(s.defaultAssignmentSleep()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.defaultGracePeriod()).isEqualTo(Duration.ofSeconds(8));
        assertThat(s.defaultPoolSize()).isEqualTo(16);
        assertThat(s.defaultJoinDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.leadershipPollInterval()).isEqualTo(Duration.ofMillis(4000));
        assertThat(s.timezone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(s.logFormat()).isEqualTo("console");
        assertThat(s.logLevel()).isEqualTo("info");
        assertThat(s.metricsHost()).as("this machine only, until asked").isEqualTo("127.0.0.1");
    }

    @Test
    void environment_variables_override_defaults_and_the_builder_overrides_both() {
        Map<String, String> env = Map.of(
                "RUNNEL_REDIS_URL", "redis://10.0.0.1:6380",
                "RUNNEL_DEFAULT_PARTITION_COUNT", "4",
                "RUNNEL_DEFAULT_EXCEPTION_POLICY", "quarantine",
                "RUNNEL_DEFAULT_ASSIGNMENT_SLEEP", "0.5",
                "RUNNEL_DEFAULT_READ_TIMEOUT", "250ms",
                "RUNNEL_TIMEZONE", "Europe/London",
                "UNRELATED", "x");

        Settings s = Settings.resolve(env, Map.of("defaultPartitionCount", 6, "RUNNEL_DEFAULT_POOL_SIZE", "3"));

        assertThat(s.redisUrl()).isEqualTo("redis://10.0.0.1:6380");
        assertThat(s.defaultPartitionCount()).isEqualTo(6);
        assertThat(s.defaultPoolSize()).isEqualTo(3);
        assertThat(s.defaultExceptionPolicy()).isEqualTo(ExceptionPolicy.QUARANTINE);
        assertThat(s.defaultAssignmentSleep()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.defaultReadTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.timezone()).isEqualTo(ZoneId.of("Europe/London"));
    }

    @Test
    void settings_print_without_the_urls_credentials() {
        Settings s = Settings.resolve(Map.of("RUNNEL_REDIS_URL", "redis://bob:s3cret@10.0.0.1:6380"), Map.of());
        assertThat(s.redisUrl()).contains("s3cret");
        assertThat(s.toString()).contains("10.0.0.1:6380").doesNotContain("s3cret").contains("default_partition_count=16");
    }

    @Test
    void the_app_builder_reads_the_environment_it_is_given() {
        App app = App.builder("envapp").environment(Map.of("RUNNEL_DEFAULT_PREFETCH_COUNT", "99")).build();
        assertThat(app.settings().defaultPrefetchCount()).isEqualTo(99);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "RUNNEL_DEFAULT_PARTITION_COUNT | abc      | default_partition_count",
            "RUNNEL_DEFAULT_PARTITION_COUNT | 0        | default_partition_count",
            "RUNNEL_DEFAULT_PARTITION_SIZE  | -5       | default_partition_size",
            "RUNNEL_DEFAULT_LOCK_EXPIRY     | soon     | default_lock_expiry",
            "RUNNEL_DEFAULT_EXCEPTION_POLICY| explode  | default_exception_policy",
            "RUNNEL_TIMEZONE                | Mars/Base| timezone",
            "RUNNEL_LOG_FORMAT              | xml      | log_format",
            "RUNNEL_LOG_LEVEL               | loud     | log_level",
            "RUNNEL_REDIS_URL               | ::nope   | redis_url",
            "RUNNEL_DEFAULT_JOIN_DELAY      | -1       | default_join_delay",
            "RUNNEL_DEFAULT_RETENTION       | forever  | default_retention",
            "RUNNEL_DEFAULT_ASSIGNMENT      | random   | default_assignment",
            "RUNNEL_MEMBER_ID               | pod a:1  | member_id",
            "RUNNEL_DEFAULT_SESSION_TIMEOUT | -3       | default_session_timeout",
            "RUNNEL_DEFAULT_MAX_PARTITION_SIZE | -1    | default_max_partition_size",
            "RUNNEL_DEFAULT_MAX_AGE         | old      | default_max_age",
            "RUNNEL_DEFAULT_RETENTION_INTERVAL | 0     | default_retention_interval",
            "RUNNEL_DEFAULT_RETRY_ATTEMPTS  | 0        | default_retry_attempts",
            "RUNNEL_DEFAULT_RETRY_BACKOFF   | -5       | default_retry_backoff",
            "RUNNEL_DEFAULT_RETRY_MAX_BACKOFF | 50     | default_retry_max_backoff",
            "RUNNEL_DEFAULT_RETRY_MULTIPLIER | 0.5     | default_retry_multiplier",
            "RUNNEL_DEFAULT_RETRY_JITTER    | 1.5      | default_retry_jitter",
            "RUNNEL_DEFAULT_RETRY_JITTER    | some     | default_retry_jitter",
            "RUNNEL_METRICS_HOST            | http://0.0.0.0 | metrics_host",
            "RUNNEL_METRICS_HOST            | 0.0.0.0:9464   | metrics_host",
            "RUNNEL_METRICS_HOST            | '[::1]'  | metrics_host",
    })
    void bad_values_are_rejected_with_the_setting_name(String variable, String value, String setting) {
        assertThatThrownBy(() -> Settings.resolve(Map.of(variable, value), Map.of()))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining(setting)
                .hasMessageContaining(variable);
    }

    @Test
    void unknown_settings_on_the_builder_are_rejected() {
        assertThatThrownBy(() -> App.builder("x").environment(Map.of()).setting("partition_cnt", 3).build())
                .isInstanceOf(Misconfigured.class).hasMessageContaining("unknown setting 'partition_cnt'");
    }

    @Test
    void a_misspelt_setting_is_refused_naming_the_nearest_known_one() {
        assertThatThrownBy(() -> App.builder("x").environment(Map.of()).setting("defualt_partition_count", 3).build())
                .isInstanceOf(InvalidSetting.class)
                .hasMessage("unknown setting 'defualt_partition_count'; did you mean 'default_partition_count'?")
                .extracting(e -> ((InvalidSetting) e).setting()).isEqualTo("defualt_partition_count");
        assertThatThrownBy(() -> Settings.resolve(Map.of(), Map.of("defaultPoolSise", 3)))
                .hasMessageContaining("did you mean 'default_pool_size'?");
        assertThatThrownBy(() -> Settings.resolve(Map.of(), Map.of("colour", "blue")))
                .hasMessageStartingWith("unknown setting 'colour'; known: redis_url, ");
    }

    @Test
    void names_are_read_in_snake_camel_kebab_and_environment_case() {
        Settings s = Settings.resolve(Map.of(), Map.of("default_pool_size", 2, "defaultPrefetchCount", 3,
                "default-partition-count", 4, "RUNNEL_DEFAULT_JOIN_DELAY", "0"));
        assertThat(s.defaultPoolSize()).isEqualTo(2);
        assertThat(s.defaultPrefetchCount()).isEqualTo(3);
        assertThat(s.defaultPartitionCount()).isEqualTo(4);
        assertThat(s.defaultJoinDelay()).isZero();
        assertThat(Settings.named("default-grace-period")).map(Setting::environmentVariable)
                .contains("RUNNEL_DEFAULT_GRACE_PERIOD");
    }

    @Test
    void a_misspelt_environment_variable_is_logged_with_the_nearest_and_ignored() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Settings.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            Settings s = Settings.resolve(Map.of("RUNNEL_DEFUALT_JOIN_DELAY", "0", "RUNNEL_HOME", "/opt/runnel"), Map.of());
            assertThat(s.defaultJoinDelay()).isEqualTo(Duration.ofSeconds(2));
            assertThat(logs.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .containsExactly("environment variable RUNNEL_DEFUALT_JOIN_DELAY is not a Runnel setting and is "
                            + "ignored; did you mean RUNNEL_DEFAULT_JOIN_DELAY?");
            assertThat(logs.list.get(0).getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void a_processor_overrides_its_scoped_settings_by_name_checked_as_the_settings_are() {
        App app = App.builder("optapp").environment(Map.of()).setting("default_retry_attempts", 2).build();
        Stream<String> s = app.stream("s", String.class, v -> v, o -> o.setting("partition_count", 2)
                .setting("maxAge", "1h"));
        assertThat(s.partitionCount()).isEqualTo(2);
        app.processor(s, "p", o -> o.setting("prefetch_count", 7).setting("maxProcessingTime", "30s")
                .setting("default_retry_backoff", 250).poolSize(3), events -> { });
        Processor<?> p = app.processor("p");
        assertThat(p.prefetchCount()).isEqualTo(7);
        assertThat(p.maxProcessingTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.poolSize()).isEqualTo(3);
        assertThat(p.retry()).isEqualTo(new RetryPolicy(2, Duration.ofMillis(250), Duration.ofSeconds(10), 2, 0.2));
        assertThat(p.gracePeriod()).isEqualTo(app.settings().defaultGracePeriod());

        assertThatThrownBy(() -> app.processor(s, "q", o -> o.setting("prefetch_count", 0), events -> { }))
                .isInstanceOf(InvalidSetting.class)
                .hasMessage("option prefetch_count has invalid value '0': expected a positive whole number below 2^31");
        assertThatThrownBy(() -> app.processor(s, "q", o -> o.setting("partition_count", 3), events -> { }))
                .isInstanceOf(InvalidSetting.class)
                .hasMessageContaining("setting default_partition_count is not a processor option");
        assertThatThrownBy(() -> app.processor(s, "q", o -> o.setting("prefech_count", 3), events -> { }))
                .hasMessage("unknown processor option 'prefech_count'; did you mean 'prefetch_count'?");
    }

    @Test
    void a_read_timeout_not_shorter_than_the_grace_period_is_rejected() {
        assertThatThrownBy(() -> Settings.resolve(Map.of("RUNNEL_DEFAULT_READ_TIMEOUT", "9000"), Map.of()))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("default_read_timeout").hasMessageContaining("default_grace_period");
    }

    @Test
    void credentials_in_a_bad_redis_url_are_not_echoed() {
        assertThatThrownBy(() -> Settings.resolve(Map.of("RUNNEL_REDIS_URL", "redis://bob:hunter2@host:bad port"), Map.of()))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("redis_url")
                .hasMessageNotContaining("hunter2");
    }
}
