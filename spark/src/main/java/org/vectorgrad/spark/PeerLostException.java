package org.vectorgrad.spark;

import java.io.IOException;

/** A peer closed its connection mid-exchange: it failed or was killed (its own failure is the news). */
final class PeerLostException extends IOException {
    private static final long serialVersionUID = 1L;

    PeerLostException(int peer, String doing) {
        super("worker " + peer + " closed its connection while " + doing + " (it failed or was killed)");
    }
}
