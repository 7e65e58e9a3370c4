package io.parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of the server processes (summed over the nodes, or memory node by node), read from
 * /proc (Linux).
 */
final class ProcSampler {
    private final long[] pids;
    private final long ticksPerSecond = 100; // USER_HZ on Linux

    ProcSampler(long... pids) {
        this.pids = pids;
    }

    boolean available() {
        for (long pid : pids) {
            if (pid <= 0 || !Files.exists(Path.of("/proc/" + pid + "/stat"))) {
                return false;
            }
        }
        return pids.length > 0;
    }

    /** Resident set size in KiB. */
    long rssKib() throws IOException {
        long sum = 0;
        for (long kib : rssKibEach()) {
            sum += kib;
        }
        return sum;
    }

    /** Resident set size in KiB of each process, in the order of the pids. */
    long[] rssKibEach() throws IOException {
        long[] each = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            for (String line : Files.readAllLines(Path.of("/proc/" + pids[i] + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    each[i] += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return each;
    }

    /** User + system CPU time in milliseconds. */
    long cpuMillis() throws IOException {
        long sum = 0;
        for (long pid : pids) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state(0) ... utime(11) stime(12)
            sum += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / ticksPerSecond;
        }
        return sum;
    }
}
