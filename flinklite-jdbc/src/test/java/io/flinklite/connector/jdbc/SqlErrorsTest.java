package io.flinklite.connector.jdbc;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class SqlErrorsTest {

    @Test
    void lostConnectionsAndRestartsAreTransient() {
        for (String state : new String[] {"08001", "08003", "08006", "57P01", "57P02", "57P03", "40001", "40P01", "53300"}) {
            assertThat(SqlErrors.isTransient(new SQLException("x", state))).as(state).isTrue();
        }
    }

    @Test
    void mistakesAreNotTransient() {
        for (String state : new String[] {"28P01", "28000", "3D000", "42P01", "42703", "23502", "22003"}) {
            assertThat(SqlErrors.isTransient(new SQLException("x", state))).as(state).isFalse();
        }
    }

    @Test
    void theServerErrorBehindABatchWrapperDecides() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", null, 0, new int[0]);
        batch.setNextException(new SQLException("terminating connection due to administrator command", "57P01"));
        assertThat(SqlErrors.isTransient(batch)).isTrue();
        assertThat(SqlErrors.describe(batch)).isEqualTo("terminating connection due to administrator command (SQLState 57P01)");

        BatchUpdateException bad = new BatchUpdateException("Batch entry 0 was aborted", "22003", 0, new int[0]);
        bad.setNextException(new SQLException("value out of range", "22003"));
        assertThat(SqlErrors.isTransient(bad)).isFalse();
    }

    @Test
    void aSocketFailureAsCauseIsTransient() {
        SQLException e = new SQLException("I/O error", null, new ConnectException("Connection refused"));
        assertThat(SqlErrors.isTransient(e)).isTrue();
    }

    @Test
    void authenticationIsClassTwentyEight() {
        assertThat(SqlErrors.isAuthentication(new SQLException("password authentication failed", "28P01"))).isTrue();
        assertThat(SqlErrors.isAuthentication(new SQLException("no pg_hba.conf entry", "28000"))).isTrue();
        assertThat(SqlErrors.isAuthentication(new SQLException("database does not exist", "3D000"))).isFalse();
    }

    @Test
    void backoffDoublesFromOneHundredMillisecondsUpToFiveSeconds() {
        assertThat(JdbcSink.backoffMs(1)).isEqualTo(100);
        assertThat(JdbcSink.backoffMs(2)).isEqualTo(200);
        assertThat(JdbcSink.backoffMs(3)).isEqualTo(400);
        assertThat(JdbcSink.backoffMs(6)).isEqualTo(3_200);
        assertThat(JdbcSink.backoffMs(7)).isEqualTo(5_000);
        assertThat(JdbcSink.backoffMs(1_000)).isEqualTo(5_000);
    }
}
