package org.vectorgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The install-or-explain decision, on a fake machine: apt is never really run. */
class DatasetSetupTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);

    /** A machine whose apt "installs" the dataset by writing the four files, after {@code failures} failed runs. */
    static final class FakeMachine implements DatasetSetup.Environment {
        final boolean root;
        final boolean apt;
        final Path installInto;
        int failures;
        final List<List<String>> ran = new ArrayList<>();

        FakeMachine(boolean root, boolean apt, Path installInto, int failures) {
            this.root = root;
            this.apt = apt;
            this.installInto = installInto;
            this.failures = failures;
        }

        @Override
        public boolean isRoot() {
            return root;
        }

        @Override
        public boolean hasApt() {
            return apt;
        }

        @Override
        public int run(List<String> command) throws IOException {
            ran.add(command);
            if (failures > 0) {
                failures--;
                return 100;
            }
            if (command.equals(DatasetSetup.INSTALL) && installInto != null) {
                for (String prefix : List.of("train", "t10k")) {
                    for (String kind : List.of("images-idx3", "labels-idx1")) {
                        Files.write(installInto.resolve(prefix + "-" + kind + "-ubyte.gz"), new byte[0]);
                    }
                }
            }
            return 0;
        }
    }

    private String logText() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void presentDatasetNeedsNothing() throws Exception {
        FakeMachine machine = new FakeMachine(true, true, dir, 0);
        machine.run(DatasetSetup.INSTALL);
        machine.ran.clear();
        DatasetSetup.ensure(dir, dir, machine, logStream);
        assertEquals(List.of(), machine.ran);
        assertEquals("", logText());
    }

    @Test
    void rootWithAptInstallsThePackageAndSaysSo() throws Exception {
        FakeMachine machine = new FakeMachine(true, true, dir, 0);
        DatasetSetup.ensure(dir, dir, machine, logStream);
        assertEquals(List.of(DatasetSetup.INSTALL), machine.ran);
        assertTrue(logText().contains("installing Debian's package: apt-get install -y dataset-fashion-mnist"), logText());
    }

    @Test
    void aFailedInstallRefreshesThePackageListsOnce() throws Exception {
        FakeMachine machine = new FakeMachine(true, true, dir, 1);
        DatasetSetup.ensure(dir, dir, machine, logStream);
        assertEquals(List.of(DatasetSetup.INSTALL, DatasetSetup.UPDATE, DatasetSetup.INSTALL), machine.ran);

        FakeMachine broken = new FakeMachine(true, true, dir.resolve("never"), 3);
        Path empty = Files.createDirectory(dir.resolve("empty"));
        DatasetSetup.DatasetUnavailableException e = assertThrows(DatasetSetup.DatasetUnavailableException.class,
                () -> DatasetSetup.ensure(empty, empty, broken, logStream));
        assertTrue(e.getMessage().contains("run it yourself to see why:\n  apt-get install -y dataset-fashion-mnist"),
                e.getMessage());
    }

    @Test
    void anInstallThatLeavesNoFilesIsReported() {
        FakeMachine machine = new FakeMachine(true, true, null, 0);
        DatasetSetup.DatasetUnavailableException e = assertThrows(DatasetSetup.DatasetUnavailableException.class,
                () -> DatasetSetup.ensure(dir, dir, machine, logStream));
        assertTrue(e.getMessage().contains("did not put Fashion-MNIST in " + dir), e.getMessage());
    }

    @Test
    void withoutRootItStopsWithTheSudoCommand() {
        FakeMachine machine = new FakeMachine(false, true, dir, 0);
        DatasetSetup.DatasetUnavailableException e = assertThrows(DatasetSetup.DatasetUnavailableException.class,
                () -> DatasetSetup.ensure(dir, dir, machine, logStream));
        assertEquals(List.of(), machine.ran);
        assertTrue(e.getMessage().contains("Install it with:\n  sudo apt-get install -y dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void withoutAptItStopsAndMentionsDataDir() {
        FakeMachine machine = new FakeMachine(true, false, dir, 0);
        DatasetSetup.DatasetUnavailableException e = assertThrows(DatasetSetup.DatasetUnavailableException.class,
                () -> DatasetSetup.ensure(dir, dir, machine, logStream));
        assertEquals(List.of(), machine.ran);
        assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
    }

    @Test
    void aCustomDirectoryIsNeverInstalledInto() {
        FakeMachine machine = new FakeMachine(true, true, dir, 0);
        Path custom = dir.resolve("mine");
        DatasetSetup.DatasetUnavailableException e = assertThrows(DatasetSetup.DatasetUnavailableException.class,
                () -> DatasetSetup.ensure(custom, dir, machine, logStream));
        assertEquals(List.of(), machine.ran);
        assertTrue(e.getMessage().startsWith("Fashion-MNIST is not in " + custom), e.getMessage());
    }
}
