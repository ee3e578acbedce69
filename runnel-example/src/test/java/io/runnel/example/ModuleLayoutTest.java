// SPDX-License-Identifier: Apache-2.0

package io.runnel.example;

import io.runnel.example.ReactorModules.Module;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published jars work on the module path: each names its module (Automatic-Module-Name,
 * from the POM property runnel.module.name) after its root package, and no package is in two
 * of them (the module system refuses a package split across modules).
 */
class ModuleLayoutTest {
    private static List<Module> jarModules() {
        return ReactorModules.all().stream().filter(m -> m.packaging().equals("jar")).toList();
    }

    @Test
    void every_published_jar_names_its_module_after_the_package_all_its_code_is_in() {
        List<Module> published = jarModules().stream().filter(Module::published).toList();
        assertThat(published).extracting(Module::name).contains("runnel-api", "runnel-engine", "runnel-test", "runnel-testkit");
        for (Module m : published) {
            String name = m.property("runnel.module.name").orElse(null);
            assertThat(name).as("runnel.module.name of " + m.name()).isNotNull().matches("io\\.runnel(\\.[a-z]+)+");
            assertThat(m.packages()).as("the packages of " + m.name())
                    .isNotEmpty()
                    .allSatisfy(p -> assertThat(p.equals(name) || p.startsWith(name + ".")).as(p + " in module " + name).isTrue());
        }
    }

    @Test
    void unpublished_jars_name_their_module_too() {
        for (Module m : jarModules().stream().filter(m -> !m.published()).toList()) {
            assertThat(m.property("runnel.module.name")).as("runnel.module.name of " + m.name()).isPresent();
        }
    }

    @Test
    void no_package_is_in_two_published_jars() {
        Map<String, String> owner = new HashMap<>();
        for (Module m : jarModules().stream().filter(Module::published).toList()) {
            for (String p : m.packages()) {
                String other = owner.putIfAbsent(p, m.name());
                assertThat(other).as("package " + p + " is in " + other + " and in " + m.name()).isNull();
            }
        }
        assertThat(owner).containsKeys("io.runnel.engine", "io.runnel.engine.internal", "io.runnel.test");
    }
}
