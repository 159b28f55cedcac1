package io.flinklite.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walls of docs/architecture.md, over every production class of the jar: the public API never reaches into the
 * engine or the connectors, and each third-party library is imported only by the package that wraps it.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.flinklite");
    }

    @Test
    void publicApiAndJobSpecDoNotDependOnTheEngineOrConnectors() {
        noClasses().that().resideInAnyPackage("io.flinklite.api..", "io.flinklite.job..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.flinklite.runtime..", "io.flinklite.connector..", "io.flinklite.app..")
                .check(classes);
    }

    @Test
    void engineDoesNotDependOnConnectorsOrTheApp() {
        noClasses().that().resideInAnyPackage("io.flinklite.runtime..", "io.flinklite.testing..")
                .should().dependOnClassesThat().resideInAnyPackage("io.flinklite.connector..", "io.flinklite.app..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void jacksonOnlyInTheJsonPackage() {
        onlyIn("com.fasterxml.jackson..", "io.flinklite.runtime.json..");
    }

    @Test
    void kafkaClientsOnlyInTheKafkaConnector() {
        onlyIn("org.apache.kafka..", "io.flinklite.connector.kafka..");
    }

    @Test
    void kafkaBrokerOnlyInTheEmbeddedBrokerPackage() {
        onlyIn("kafka..", "io.flinklite.connector.kafka.embedded..");
    }

    @Test
    void picocliOnlyInTheCli() {
        onlyIn("picocli..", "io.flinklite.app.cli..");
    }

    @Test
    void prometheusClientOnlyInTheMetricsPackage() {
        onlyIn("io.prometheus..", "io.flinklite.app.metrics..");
    }

    @Test
    void postgresDriverOnlyInTheJdbcConnector() {
        onlyIn("org.postgresql..", "io.flinklite.connector.jdbc..");
    }

    @Test
    void cassandraDriverOnlyInTheCassandraConnector() {
        onlyIn("com.datastax..", "io.flinklite.connector.cassandra..");
    }

    @Test
    void theSinkPluginContractDependsOnlyOnThePublicApi() {
        noClasses().that().resideInAPackage("io.flinklite.sink..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.flinklite.runtime..", "io.flinklite.connector..", "io.flinklite.app..")
                .check(classes);
    }

    @Test
    void theSourceConnectorContractDependsOnlyOnThePublicApi() {
        noClasses().that().resideInAPackage("io.flinklite.source..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.flinklite.runtime..", "io.flinklite.connector..", "io.flinklite.app..")
                .check(classes);
    }

    @Test
    void theAppNamesNoSinkConnector() {
        // Sinks are plug-ins (SinkRegistry): nothing in the app reaches into the JDBC or Cassandra connectors.
        noClasses().that().resideInAPackage("io.flinklite.app..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.flinklite.connector.jdbc..", "io.flinklite.connector.cassandra..")
                .check(classes);
    }

    private static void onlyIn(String library, String wrappingPackage) {
        noClasses().that().resideOutsideOfPackage(wrappingPackage)
                .should().dependOnClassesThat().resideInAPackage(library)
                .allowEmptyShould(true)
                .check(classes);
    }
}
