package io.flinklite.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The walls of docs/architecture.md for the core module. */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.flinklite");

    @Test
    void publicApiAndJobSpecNeverImportTheEngine() {
        noClasses().that().resideInAnyPackage("io.flinklite.api..", "io.flinklite.job..")
                .should().dependOnClassesThat().resideInAnyPackage("io.flinklite.runtime..", "io.flinklite.testing..")
                .because("user jobs compile against the API alone; the engine may change behind it")
                .check(CORE);
    }

    @Test
    void theConnectorContractsNeverImportTheEngine() {
        noClasses().that().resideInAnyPackage("io.flinklite.source..", "io.flinklite.sink..")
                .should().dependOnClassesThat().resideInAnyPackage("io.flinklite.runtime..", "io.flinklite.testing..")
                .because("connectors outside this repository compile against the SPI alone")
                .check(CORE);
    }

    @Test
    void onlyTheJsonPackageUsesJackson() {
        noClasses().that().resideOutsideOfPackage("io.flinklite.runtime.json..")
                .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson..")
                .because("JSON is read and written in one place")
                .check(CORE);
    }

    @Test
    void theEngineDoesNotDependOnTheTestHarness() {
        noClasses().that().resideInAPackage("io.flinklite.runtime..")
                .should().dependOnClassesThat().resideInAPackage("io.flinklite.testing..")
                .check(CORE);
    }
}
