package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags we give Spark (the parent pom's {@code spark.jvm.flags} for tests, the
 * {@code ./vectorgrad} launcher for {@code train --spark}) are those of Spark's own launcher, so a
 * Spark upgrade that needs another {@code --add-opens} fails here instead of at run time.
 */
class SparkLauncherFlagsTest {
    /** Passed separately everywhere (parent pom's vector.module.flag), or gone from JDK 25. */
    private static final Set<String> ELSEWHERE = Set.of("--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED");

    private static Set<String> spark() {
        Set<String> flags = new TreeSet<>(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        flags.removeAll(ELSEWHERE);
        return flags;
    }

    private static Path root() {
        return Path.of("").toAbsolutePath().getParent();
    }

    @Test
    void theParentPomHasSparksFlags() throws IOException {
        Matcher m = Pattern.compile("<spark.jvm.flags>([^<]*)</spark.jvm.flags>")
                .matcher(Files.readString(root().resolve("pom.xml")));
        m.find();
        assertEquals(spark(), new TreeSet<>(List.of(m.group(1).trim().split("\\s+"))));
    }

    @Test
    void theLauncherHasSparksFlags() throws IOException {
        String script = Files.readString(root().resolve("vectorgrad"));
        String block = script.substring(script.indexOf("spark_flags=(") + "spark_flags=(".length());
        block = block.substring(0, block.indexOf(')'));
        assertEquals(spark(), new TreeSet<>(List.of(block.trim().split("\\s+"))));
    }
}
