package org.vectorgrad.spark;

import java.io.IOException;

/** A peer closed its connection mid-exchange: it failed or was killed (its own failure is the news). */
final class PeerLostException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@code peer} is the lost worker's rank, or -1 when it is not known which one. */
    PeerLostException(int peer, String doing, Throwable cause) {
        super((peer < 0 ? "a worker" : "worker " + peer) + " went away while " + doing + " (it failed or was killed)",
                cause);
    }
}
