package org.vectorgrad.cli;

import org.vectorgrad.Parallelism;

import picocli.CommandLine;

/**
 * Range checks for {@code vectorgrad train}'s counting options, done while parsing: picocli then
 * reports "Invalid value for option '--threads': 40000 is not in 1..1024" with the usage, before
 * anything runs (an unchecked thread count used to fail later with a bare "null").
 */
final class TrainArguments {
    /** The most kernel threads {@code Parallelism.setThreads} accepts. */
    static final int MAX_THREADS = Parallelism.MAX_THREADS;

    private TrainArguments() {
    }

    private static int parse(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not an int");
        }
    }

    /** {@code --threads}: 1..{@link #MAX_THREADS}. */
    static final class Threads implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = parse(value);
            if (n < 1 || n > MAX_THREADS) {
                throw new CommandLine.TypeConversionException(n + " is not in 1.." + MAX_THREADS);
            }
            return n;
        }
    }

    /** A count of epochs that must be done (--stop-after): 0 would train and write nothing. */
    static final class AtLeastOne implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = parse(value);
            if (n < 1) {
                throw new CommandLine.TypeConversionException(n + " is not >= 1");
            }
            return n;
        }
    }
}
