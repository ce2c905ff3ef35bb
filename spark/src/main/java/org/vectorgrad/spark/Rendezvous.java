package org.vectorgrad.spark;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The driver's side of the workers' address exchange: each worker sends its rank and listening
 * address; once all have, each gets the full list. It stands in for one
 * {@code BarrierTaskContext.allGather}, whose client polls for its reply once a second.
 */
final class Rendezvous {
    private String[] addresses;
    private DataOutputStream[] replies;
    private int registered;

    /** Records worker {@code rank}'s address; when it completes the set, answers everyone. */
    synchronized void register(int rank, int world, String address, DataOutputStream reply) throws IOException {
        if (addresses == null) {
            addresses = new String[world];
            replies = new DataOutputStream[world];
        }
        if (world != addresses.length || rank < 0 || rank >= world || addresses[rank] != null) {
            throw new IOException("worker " + rank + " of " + world + " joined a rendezvous of " + addresses.length);
        }
        addresses[rank] = address;
        replies[rank] = reply;
        if (++registered < world) {
            return;
        }
        for (DataOutputStream out : replies) {
            synchronized (out) {
                for (String a : addresses) {
                    out.writeUTF(a);
                }
                out.flush();
            }
        }
    }
}
